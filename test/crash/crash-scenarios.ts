import type { CrashPoint } from "./crash-point.ts";

/** The checkouts the suite crashes: one that succeeds and one whose shipping fails, so charge-payment is refunded. */
export const CHECKOUT_PATHS = {
  succeeds: { paymentMethodId: "pm_card_visa", shippingCountry: "US" },
  "fails at shipping": { paymentMethodId: "pm_card_visa", shippingCountry: "XX" },
} as const;

export type CheckoutPath = keyof typeof CHECKOUT_PATHS;

export type Outcome = "COMPLETED" | "COMPENSATED" | "CANCELLED" | "NOT STARTED";

export interface JournalCrash {
  path: CheckoutPath;
  point: CrashPoint;
}

const STEPS = ["reserve-inventory", "charge-payment", "create-shipment", "finalize"] as const;

function bothSides(event: CrashPoint["event"], step?: string): CrashPoint[] {
  return (["before", "after"] as const).map((when) => ({ when, event, ...(step ? { step } : {}) }));
}

/** Every boundary of the checkout's journal, before and after its write. */
export const JOURNAL_CRASHES: readonly JournalCrash[] = [
  ...[
    ...bothSides("run-started"),
    ...STEPS.flatMap((step) => [...bothSides("step-started", step), ...bothSides("step-completed", step)]),
    ...bothSides("run-finished"),
  ].map((point) => ({ path: "succeeds" as const, point })),
  ...[
    ...bothSides("step-failed", "create-shipment"),
    ...bothSides("run-compensating"),
    ...bothSides("compensation-started", "charge-payment"),
    ...bothSides("compensation-completed", "charge-payment"),
    ...bothSides("compensation-completed", "reserve-inventory"),
    ...bothSides("run-finished"),
  ].map((point) => ({ path: "fails at shipping" as const, point })),
];

/**
 * How a checkout crashed there must end. The transaction commits just before the write that carries finalize's
 * completion and `run-finished`: from there on the commit checkpoint says COMPLETED. Before it the crash rolled
 * the database back, so the external steps are compensated — unless the shipment (the pivot, which nothing can
 * undo) had durably started: then the checkout goes forward, the shipment asked again under its key, and
 * completes. A crash before `run-started` is durable leaves no run.
 */
export function expectedOutcome({ path, point }: JournalCrash): Outcome {
  if (point.event === "run-started" && point.when === "before") return "NOT STARTED";
  if (path === "fails at shipping") return "COMPENSATED";
  const afterCommit = point.event === "run-finished" || (point.event === "step-completed" && point.step === "finalize");
  // charge-payment's completion is written with create-shipment's start.
  const chargeDone = point.step === "charge-payment" && point.event === "step-completed" && point.when === "after";
  const pivotStarted =
    chargeDone ||
    (point.step === "create-shipment" && !(point.event === "step-started" && point.when === "before")) ||
    point.step === "finalize";
  return afterCommit || pivotStarted ? "COMPLETED" : "COMPENSATED";
}
