import type { Driver } from "../../src/index.ts";
import { demoCustomers, demoProducts } from "./seed-data.ts";

/**
 * Fills an empty catalogue with the demo products, in one transaction. A catalogue with any product is left
 * alone, so restarting never re-adds what a user deleted or changed. Two instances starting together on one
 * PostgreSQL database may both see it empty; the loser's insert hits the unique `sku` and is ignored.
 * Returns how many products were inserted.
 */
export async function seedDemoProducts(driver: Driver): Promise<number> {
  if ((await driver.count("product")) > 0) return 0;
  try {
    return await driver.transaction(async (tx) => {
      for (const product of demoProducts) await tx.create("product", { ...product });
      return demoProducts.length;
    });
  } catch (error) {
    if ((await driver.count("product")) > 0) return 0;
    throw error;
  }
}

/**
 * Adds each demo customer that is missing (by id), so the development tokens always name a customer. One that a
 * concurrent start inserted first (unique id and email) is skipped. Returns how many were inserted.
 */
export async function seedDemoCustomers(driver: Driver): Promise<number> {
  let inserted = 0;
  for (const customer of demoCustomers) {
    if ((await driver.count("customer", { id: customer.id })) > 0) continue;
    try {
      await driver.create("customer", { ...customer });
      inserted++;
    } catch (error) {
      if ((await driver.count("customer", { id: customer.id })) === 0) throw error;
    }
  }
  return inserted;
}
