/** Demo products `npm start` inserts into an empty database. */
export const demoProducts = [
  { name: "Mechanical keyboard", sku: "KB-001", price: 79, stock: 10 },
  { name: "Wireless mouse", sku: "MS-001", price: 29.5, stock: 25 },
  { name: "27-inch monitor", sku: "MN-001", price: 249, stock: 3 },
  { name: "USB-C cable", sku: "CB-001", price: 9.99, stock: 100 },
] as const;
