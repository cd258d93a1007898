import type { Driver } from "../../src/index.ts";
import { demoProducts } from "./seed-data.ts";

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
