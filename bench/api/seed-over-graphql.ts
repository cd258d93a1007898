import type { BenchOrder, BenchProduct } from "./bench-orders.ts";
import { postGraphql } from "./post-graphql.ts";

/** Mutations per request: aliases of one document, which GraphQL runs one after another; the server refuses more than 30. */
const BATCH = 25;

/**
 * Creates the catalogue and the orders through the served app's own mutations (`productCreate`, `orderCreate`),
 * as a client would; returns the orders' ids, in order.
 */
export async function seedOverGraphql(
  url: string,
  products: readonly BenchProduct[],
  orders: readonly BenchOrder[],
): Promise<string[]> {
  for (let i = 0; i < products.length; i += BATCH) {
    await createBatch(url, "productCreate", "ProductCreateInput", products.slice(i, i + BATCH));
  }
  const ids: string[] = [];
  for (let i = 0; i < orders.length; i += BATCH)
    ids.push(...(await createBatch(url, "orderCreate", "OrderCreateInput", orders.slice(i, i + BATCH))));
  return ids;
}

async function createBatch(
  url: string,
  mutation: string,
  inputType: string,
  rows: readonly object[],
): Promise<string[]> {
  const params = rows.map((_, i) => `$d${i}: ${inputType}!`).join(", ");
  const fields = rows.map((_, i) => `m${i}: ${mutation}(data: $d${i}) { id }`).join("\n");
  const variables = Object.fromEntries(rows.map((row, i) => [`d${i}`, row]));
  const data = await postGraphql<Record<string, { id: string }>>(
    url,
    `mutation Seed(${params}) {\n${fields}\n}`,
    variables,
  );
  return rows.map((_, i) => data[`m${i}`]!.id);
}
