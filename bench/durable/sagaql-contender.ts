import { order as orderEntity } from "../../examples/checkout/entities.ts";
import {
  defineWorkflow,
  executeWorkflow,
  step,
  type Driver,
  type RunJournal,
  type ServiceRegistry,
  type WorkflowDefinition,
} from "../../src/index.ts";
import type { PostgresRunJournal } from "../../src/persistence/postgres/postgres-run-journal.ts";
import type { BenchOrder } from "./checkout-fixtures.ts";
import { expectEqual, type Contender } from "./contender.ts";

type CheckoutResult = { success: true; chargeId: string; shipmentId: string };

/** Steps whose effects live only in the app database: exactly-once through a checkpoint in their own transaction. */
const DATABASE_STEPS = new Set(["reserve-inventory", "finalize"]);
const INPUT = { paymentMethodId: "pm_card_visa" };

/**
 * The example's checkout steps, as they are, in a workflow that is not transactional: each database step commits
 * on its own (with its checkpoint, when journaled) and the external ones are journaled before they run.
 */
export const benchCheckout: WorkflowDefinition<never, CheckoutResult> = defineWorkflow(
  "order.checkout",
  orderEntity.actionDefinitions.checkout.workflow.steps.map((s) =>
    step(s.name, s.execute, s.compensate ?? null, {
      ...s.options,
      effect: DATABASE_STEPS.has(s.name) ? "database" : (s.options.effect ?? "external"),
    }),
  ),
) as unknown as WorkflowDefinition<never, CheckoutResult>;

export interface SagaqlContenderOptions {
  label: string;
  key: string;
  driver: Driver;
  services: ServiceRegistry;
  /** The durable journal; none for the non-durable contender. */
  store?: PostgresRunJournal;
  /** Rows of `sagaql_step_checkpoints` in the app database. */
  countCheckpoints?: () => Promise<number>;
}

export function sagaqlContender(options: SagaqlContenderOptions): Contender {
  const { driver, services, store } = options;
  return {
    label: options.label,
    key: options.key,
    async checkout(order: BenchOrder): Promise<void> {
      const outcome = await executeWorkflow(driver, benchCheckout, {
        input: INPUT,
        resource: order,
        resourceId: order.id,
        services,
        ...(store ? { store: store as RunJournal } : {}),
      });
      if (!outcome.ok) throw new Error(`sagaql checkout of ${order.id} ended ${outcome.status}: ${outcome.error}`);
    },
    async verifyRecords(checkouts: number): Promise<void> {
      if (!store) return;
      const completed = await store.listRuns({ workflow: benchCheckout.name, status: "COMPLETED", take: 1_000_000 });
      const steps = completed.flatMap((run) => run.steps.map((s) => s.status));
      expectEqual(`${options.label}: journaled COMPLETED runs`, completed.length, checkouts);
      expectEqual(
        `${options.label}: journaled steps COMPLETED`,
        steps.filter((s) => s === "COMPLETED").length,
        checkouts * benchCheckout.steps.length,
      );
      // Zero until the engine writes checkpoints for database steps of non-transactional workflows.
      const checkpoints = (await options.countCheckpoints?.()) ?? 0;
      if (checkpoints > 0)
        expectEqual(`${options.label}: step checkpoints`, checkpoints, checkouts * DATABASE_STEPS.size);
    },
    async close(): Promise<void> {},
  };
}
