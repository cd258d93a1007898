/** Demo products `npm start` inserts into an empty database. */
export const demoProducts = [
  { name: "Mechanical keyboard", sku: "KB-001", price: 79, stock: 10 },
  { name: "Wireless mouse", sku: "MS-001", price: 29.5, stock: 25 },
  { name: "27-inch monitor", sku: "MN-001", price: 249, stock: 3 },
  { name: "USB-C cable", sku: "CB-001", price: 9.99, stock: 100 },
] as const;

/**
 * Demo customers `npm start` adds when missing; their ids are the `sub` of the development tokens it prints, so
 * a pasted customer header can create and check out orders at once. Other customers are created by an admin.
 */
export const demoCustomers = [
  { id: "cus_demo_1", name: "Demo customer 1", email: "customer1@example.com" },
  { id: "cus_demo_2", name: "Demo customer 2", email: "customer2@example.com" },
] as const;
