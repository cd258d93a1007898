import { NonRetryableError } from "../../src/index.ts";

export interface OrderItem {
  sku: string;
  quantity: number;
}

/** An order's `items` column is JSON text; anything but a non-empty list of {sku, quantity ≥ 1} is refused. */
export function parseOrderItems(itemsJson: string): OrderItem[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(itemsJson);
  } catch {
    throw new NonRetryableError("Order items are not valid JSON");
  }
  if (!Array.isArray(parsed) || parsed.length === 0)
    throw new NonRetryableError("Order items must be a non-empty JSON array of {sku, quantity}");
  return parsed.map((item, index) => {
    const { sku, quantity } = (item ?? {}) as Partial<OrderItem>;
    if (typeof sku !== "string" || sku === "" || !Number.isInteger(quantity) || (quantity as number) < 1) {
      throw new NonRetryableError(`Order item #${index} must be {"sku": string, "quantity": positive integer}`);
    }
    return { sku, quantity: quantity as number };
  });
}
