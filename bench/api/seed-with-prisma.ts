import { randomUUID } from "node:crypto";
import { openDatabase } from "../../src/persistence/prisma/open-database.ts";
import type { BenchOrder, BenchProduct } from "./bench-orders.ts";
import { checkoutPrismaClient } from "./checkout-prisma-client.ts";
import type { Provider } from "./bench-database.ts";

/**
 * The same catalogue and orders, inserted with the example's generated Prisma client (so every column, dates
 * included, is as Prisma writes it) for the contenders that have no `orderCreate`; returns the orders' ids.
 */
export async function seedWithPrisma(
  provider: Provider,
  url: string,
  products: readonly BenchProduct[],
  orders: readonly BenchOrder[],
): Promise<string[]> {
  const database = await openDatabase(url, checkoutPrismaClient(provider));
  try {
    const rows = orders.map((order) => ({ id: randomUUID(), ...order }));
    await database.prisma.product.createMany({ data: [...products] });
    await database.prisma.order.createMany({ data: rows });
    return rows.map((row) => row.id);
  } finally {
    await database.close();
  }
}
