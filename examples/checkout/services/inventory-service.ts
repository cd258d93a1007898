import { NonRetryableError, type Driver } from "../../../src/index.ts";
import { parseOrderItems, type OrderItem } from "../order-items.ts";

export interface Reservation {
  id: string;
  items: OrderItem[];
}

/** Some item of the order has less stock than it asks for. */
export class InsufficientStockError extends NonRetryableError {
  override readonly code = "INSUFFICIENT_STOCK";
}

/**
 * Stock lives in our own database, so reserving goes through the workflow's driver: inside a
 * transactional checkout the reservation commits or rolls back with the order.
 */
export class InventoryService {
  /**
   * Takes every item's quantity off its product's stock, or none of them. Each decrement is a guarded
   * `updateMany` (stock ≥ quantity), so concurrent checkouts can never drive stock below zero.
   */
  async reserve(driver: Driver, reservationId: string, itemsJson: string): Promise<Reservation> {
    const items = parseOrderItems(itemsJson);
    const reserved: OrderItem[] = [];
    for (const item of items) {
      const changed = await driver.updateMany(
        "product",
        { sku: item.sku, stock: { gte: item.quantity } },
        { stock: { decrement: item.quantity } },
      );
      if (changed === 0) {
        // Outside a transaction nothing else would undo the items already taken: put them back first.
        await this.release(driver, { id: reservationId, items: reserved });
        throw new InsufficientStockError(await this.#shortageMessage(driver, item));
      }
      reserved.push(item);
    }
    return { id: reservationId, items: reserved };
  }

  async release(driver: Driver, reservation: Reservation): Promise<void> {
    for (const item of reservation.items) {
      await driver.updateMany("product", { sku: item.sku }, { stock: { increment: item.quantity } });
    }
  }

  async #shortageMessage(driver: Driver, item: OrderItem): Promise<string> {
    const product = await driver.findOne<{ stock: number }>("product", { sku: item.sku });
    if (!product) return `Insufficient stock: no product with SKU "${item.sku}"`;
    return `Insufficient stock for ${item.sku}: ${item.quantity} requested, ${product.stock} available`;
  }
}
