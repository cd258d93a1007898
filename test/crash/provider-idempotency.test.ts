import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PaymentService, PaymentUnavailableError } from "../../examples/checkout/services/payment-service.ts";
import { ShippingService } from "../../examples/checkout/services/shipping-service.ts";

/**
 * What recovery relies on from the simulated providers: their records live in their own files and survive our
 * process, and a request repeated under the same idempotency key — by a restarted process — does not act twice.
 * A second service instance on the same file stands for the provider as seen from the restarted process.
 */
let dir: string;
const open: Array<{ close(): void }> = [];

function payment(options?: { slowMs?: number }): PaymentService {
  const service = new PaymentService(join(dir, "payment-provider.db"), options);
  open.push(service);
  return service;
}

function shipping(): ShippingService {
  const service = new ShippingService(join(dir, "shipping-provider.db"));
  open.push(service);
  return service;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "sagaql-providers-"));
});

afterEach(() => {
  for (const service of open.splice(0)) service.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the simulated payment provider", () => {
  it("answers a charge re-requested with the same key after a restart with the first charge", async () => {
    const first = await payment().charge({
      amount: 20,
      paymentMethod: "pm_card_visa",
      idempotencyKey: "run-1:charge-payment",
    });
    const again = await payment().charge({
      amount: 20,
      paymentMethod: "pm_card_visa",
      idempotencyKey: "run-1:charge-payment",
    });
    expect(again).toEqual(first);
    expect(payment().charges()).toHaveLength(1);
  });

  it("charges once when two instances charge one key at the same time", async () => {
    const request = { amount: 20, paymentMethod: "pm_card_slow", idempotencyKey: "run-2:charge-payment" };
    const [a, b] = await Promise.all([
      payment({ slowMs: 50 }).charge(request),
      payment({ slowMs: 50 }).charge(request),
    ]);
    expect(a).toEqual(b);
    expect(payment().charges()).toHaveLength(1);
  });

  it("refunds a charge once however often, and from however many instances, it is asked to", async () => {
    const charge = await payment().charge({
      amount: 20,
      paymentMethod: "pm_card_visa",
      idempotencyKey: "run-3:charge-payment",
    });
    const refunds = await Promise.all([
      payment().refund(charge.id),
      payment().refund(charge.id),
      payment().refund(charge.id),
    ]);
    expect(new Set(refunds.map((refund) => refund.id)).size).toBe(1);
    expect(payment().refunds()).toEqual([refunds[0]]);
    expect(payment().charges()[0]?.refunded).toBe(true);
  });

  it("counts a flaky card's failed attempt in its file, so the retry after a restart succeeds", async () => {
    const request = { amount: 20, paymentMethod: "pm_card_flaky", idempotencyKey: "run-4:charge-payment" };
    await expect(payment().charge(request)).rejects.toBeInstanceOf(PaymentUnavailableError);
    const charge = await payment().charge(request);
    expect(payment().charges()).toEqual([charge]);
  });
});

describe("the simulated carrier", () => {
  it("answers a shipment re-requested with the same key after a restart with the first shipment", async () => {
    const request = { orderId: "order-1", items: "[]", country: "US", idempotencyKey: "run-1:create-shipment" };
    const first = await shipping().create(request);
    expect(await shipping().create(request)).toEqual(first);
    expect(shipping().shipments()).toHaveLength(1);
  });
});
