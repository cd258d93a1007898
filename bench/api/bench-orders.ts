/** A product of the benchmark's catalogue, with stock no run can exhaust. */
export interface BenchProduct {
  name: string;
  sku: string;
  price: number;
  stock: number;
}

/** A pending order as `orderCreate` takes it: one product, 1 to 3 of it. */
export interface BenchOrder {
  items: string;
  total: number;
}

const PRODUCTS = 64;
/** Every benchmark product's SKU starts with it (the app's own demo products do not). */
export const BENCH_SKU_PREFIX = "BENCH-";
export const INITIAL_STOCK = 10_000_000;
const PRICE = 10;

/** 64 products, so that concurrent checkouts rarely queue on one row's lock. */
export function benchProducts(): BenchProduct[] {
  return Array.from({ length: PRODUCTS }, (_, i) => ({
    name: `Bench product ${i}`,
    sku: `${BENCH_SKU_PREFIX}${i}`,
    price: PRICE,
    stock: INITIAL_STOCK,
  }));
}

/** `count` distinct pending orders, spread over the catalogue. */
export function benchOrders(count: number): BenchOrder[] {
  return Array.from({ length: count }, (_, n) => {
    const quantity = 1 + (n % 3);
    return {
      items: JSON.stringify([{ sku: `${BENCH_SKU_PREFIX}${(n * 7) % PRODUCTS}`, quantity }]),
      total: PRICE * quantity,
    };
  });
}

/** Units the given orders take off the stock. */
export function unitsOf(orders: readonly BenchOrder[]): number {
  return orders.reduce((sum, order) => sum + (JSON.parse(order.items) as Array<{ quantity: number }>)[0]!.quantity, 0);
}
