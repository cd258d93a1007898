import { GraphQLError } from "graphql";
import type { Driver } from "../../src/index.ts";
import { parseOrderItems } from "./order-items.ts";

/**
 * What an order of `itemsJson` costs at today's prices, rounded to cents. Items that are not a list of
 * {sku, quantity}, or name a product that does not exist, are the client's mistake: `BAD_USER_INPUT`.
 */
export async function orderTotal(itemsJson: string | undefined, driver: Driver): Promise<number> {
  let items;
  try {
    items = parseOrderItems(itemsJson ?? "");
  } catch (error) {
    throw badItems((error as Error).message);
  }
  const skus = [...new Set(items.map((item) => item.sku))];
  const products = await driver.findMany<{ sku: string; price: number }>("product", { where: { sku: { in: skus } } });
  const prices = new Map(products.map((product) => [product.sku, product.price]));
  let cents = 0;
  for (const item of items) {
    const price = prices.get(item.sku);
    if (price === undefined) throw badItems(`No product has the sku "${item.sku}"`);
    cents += Math.round(price * 100) * item.quantity;
  }
  return cents / 100;
}

function badItems(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT", fields: ["items"] } });
}
