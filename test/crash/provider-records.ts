import { join } from "node:path";
import { PaymentService, type Charge, type Refund } from "../../examples/checkout/services/payment-service.ts";
import { ShippingService, type Shipment } from "../../examples/checkout/services/shipping-service.ts";

/** What the simulated payment and shipping providers recorded, read from their own files. */
export interface ProviderRecords {
  charges: Charge[];
  refunds: Refund[];
  shipments: Shipment[];
}

/** Reads the providers' files in `dataDir` (the app's DATA_DIR) while servers may be using them. */
export function readProviderRecords(dataDir: string): ProviderRecords {
  const payment = new PaymentService(join(dataDir, "payment-provider.db"));
  const shipping = new ShippingService(join(dataDir, "shipping-provider.db"));
  try {
    return { charges: payment.charges(), refunds: payment.refunds(), shipments: shipping.shipments() };
  } finally {
    payment.close();
    shipping.close();
  }
}

/** A run's charges: the payment step's idempotency key is `<runId>:<step>`. */
export function chargesOfRun(records: ProviderRecords, runId: string): Charge[] {
  return records.charges.filter((charge) => charge.idempotencyKey.startsWith(`${runId}:`));
}
