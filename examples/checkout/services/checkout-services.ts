import { join } from "node:path";
import { InventoryService } from "./inventory-service.ts";
import { PaymentService } from "./payment-service.ts";
import { ShippingService } from "./shipping-service.ts";

export interface CheckoutServicesOptions {
  /** Where the simulated payment and shipping providers keep their own SQLite files. */
  dataDir: string;
  /** How long the `pm_card_slow` test card takes to charge, in ms. @default 3000 */
  slowCardMs?: number;
}

/** What the checkout's steps resolve by name. The providers are closed with the app (their `close()`). */
export function checkoutServices(options: CheckoutServicesOptions) {
  return {
    inventoryService: new InventoryService(),
    paymentService: new PaymentService(join(options.dataDir, "payment-provider.db"), { slowMs: options.slowCardMs }),
    shippingService: new ShippingService(join(options.dataDir, "shipping-provider.db")),
  };
}

export type CheckoutServices = ReturnType<typeof checkoutServices>;
