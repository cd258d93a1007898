import type { OrderView, RunView, ScenarioOrder } from "./checkout-client.ts";
import { chargesOfRun, type ProviderRecords } from "./provider-records.ts";

export interface CheckoutFacts {
  scenario: ScenarioOrder;
  /** The journaled run, or undefined when none was journaled (a crash before `run-started` was written). */
  run: RunView | undefined;
  order: OrderView;
  stock: number;
  providers: ProviderRecords;
}

/**
 * The crash suite's invariants for one checkout, as readable violations (none when they all hold):
 * the run ended COMPLETED, COMPENSATED or CANCELLED (a cancelled run is compensated too); the stock is its start minus the order's items only if it completed
 * (so never restored twice, never lost); at most one charge per run, kept exactly when the order completed and
 * otherwise refunded exactly once; at most one shipment per order, and none for a compensated run; the order's
 * status and ids agree.
 */
export function checkoutViolations(facts: CheckoutFacts): string[] {
  const { run, order, scenario, stock, providers } = facts;
  const violations: string[] = [];
  const fail = (message: string) => violations.push(message);
  const shipments = providers.shipments.filter((shipment) => shipment.orderId === scenario.orderId);
  if (shipments.length > 1) fail(`${shipments.length} shipments for order ${scenario.orderId}`);
  if (!run) {
    if (order.status !== "pending" || order.chargeId !== null)
      fail(`no run was journaled, yet the order is ${order.status} with charge ${order.chargeId}`);
    if (stock !== scenario.stockBefore)
      fail(`no run was journaled, yet stock is ${stock} (was ${scenario.stockBefore})`);
    if (shipments.length > 0) fail("no run was journaled, yet the order was shipped");
    return violations;
  }
  const charges = chargesOfRun(providers, run.id);
  if (charges.length > 1) fail(`${charges.length} charges for run ${run.id}`);
  for (const charge of charges) {
    const refunds = providers.refunds.filter((refund) => refund.chargeId === charge.id).length;
    const expected = run.status === "COMPLETED" ? 0 : 1;
    if (refunds !== expected)
      fail(`charge ${charge.id} of a ${run.status} run was refunded ${refunds} times, expected ${expected}`);
  }
  if (run.status === "COMPLETED") {
    const expectedStock = scenario.stockBefore - scenario.quantity;
    if (stock !== expectedStock) fail(`the order completed, yet stock is ${stock}, expected ${expectedStock}`);
    if (order.status !== "completed") fail(`the run completed, yet the order is ${order.status}`);
    if (charges.length !== 1 || order.chargeId !== charges[0]?.id)
      fail(`the order's charge ${order.chargeId} is not the run's one charge (${charges.map((c) => c.id).join(", ")})`);
    if (shipments.length !== 1 || order.shipmentId !== shipments[0]?.id)
      fail(
        `the order's shipment ${order.shipmentId} is not its one shipment (${shipments.map((s) => s.id).join(", ")})`,
      );
  } else if (run.status === "COMPENSATED" || run.status === "CANCELLED") {
    if (stock !== scenario.stockBefore)
      fail(`the run was compensated, yet stock is ${stock}, expected ${scenario.stockBefore}`);
    // The checkout goes forward past its shipment: a compensated run never leaves a parcel on its way.
    if (shipments.length > 0) fail(`the run was compensated, yet order ${scenario.orderId} was shipped`);
    if (order.status !== "pending" || order.chargeId !== null || order.shipmentId !== null) {
      fail(
        `the run was compensated, yet the order is ${order.status} (charge ${order.chargeId}, shipment ${order.shipmentId})`,
      );
    }
  } else {
    fail(`the run ended ${run.status}, not COMPLETED, COMPENSATED or CANCELLED`);
  }
  return violations;
}
