/**
 * Checkout app instances sharing one fresh, migrated database (SQLite file or PostgreSQL database), each behind
 * its own real HTTP server — the way several `npm start` processes share DATABASE_URL — plus the operations the
 * live progress tests send them.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { checkoutConfig } from "../../examples/checkout/config.ts";
import type { CheckoutServices } from "../../examples/checkout/services/checkout-services.ts";
import { createApp, type SagaqlApp } from "../../src/app/create-app.ts";
import { createLogger } from "../../src/server/create-logger.ts";
import { CapturedLogs } from "../helpers/captured-logs.ts";
import { PrismaClient as PostgresClient } from "../../generated/checkout/postgresql/client/client.ts";
import { PrismaClient as SqliteClient } from "../../generated/checkout/sqlite/client/client.ts";
import { postGraphQL } from "../helpers/graphql-request.ts";
import { seedDemoCustomers } from "../../examples/checkout/seed.ts";
import { adminHeaders, CUSTOMER_A } from "../helpers/checkout-tokens.ts";
import { retryUntil } from "../helpers/retry-until.ts";
import { createPostgresDatabaseFor, createSqliteDatabaseFor } from "../helpers/test-database.ts";
import type { Provider } from "../helpers/fresh-database.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface Instance {
  app: SagaqlApp<CheckoutServices>;
  /** What the instance logged. */
  logs: CapturedLogs;
  url: string;
}

export interface SharedDatabaseInstances {
  instances: Instance[];
  close(): Promise<void>;
}

export interface InstancesOptions {
  /** @default 1 */
  count?: number;
  /** How long pm_card_slow takes, in ms. @default 600 */
  slowCardMs?: number;
  /** Serve GraphiQL too. @default false */
  graphiql?: boolean;
}

export async function startInstances(
  provider: Provider,
  options: InstancesOptions = {},
): Promise<SharedDatabaseInstances> {
  const database =
    provider === "sqlite"
      ? await createSqliteDatabaseFor({
          migrationsDir: join(ROOT, "prisma/sqlite/migrations"),
          PrismaClient: SqliteClient,
        })
      : await createPostgresDatabaseFor({
          migrationsDir: join(ROOT, "prisma/postgresql/migrations"),
          PrismaClient: PostgresClient,
        });
  // Only the migrations were wanted: the apps open their own connections.
  const dataDir = await mkdtemp(join(tmpdir(), "sagaql-live-"));
  const instances: Instance[] = [];
  const close = async () => {
    for (const instance of instances) await instance.app.close();
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    // One after the other: the first creates the journal's tables.
    for (let i = 0; i < (options.count ?? 1); i++) instances.push(await startInstance(database.url, dataDir, options));
  } catch (error) {
    await close();
    throw error;
  }
  return { instances, close };
}

async function startInstance(databaseUrl: string, dataDir: string, options: InstancesOptions): Promise<Instance> {
  const logs = new CapturedLogs();
  const logger = createLogger({ level: "debug", destination: logs });
  const config = checkoutConfig({ slowCardMs: options.slowCardMs ?? 600, logger, graphiql: options.graphiql ?? false });
  // The database was migrated once, above; no demo products (the tests create what they need), the demo customers.
  const app = await createApp({
    ...config,
    onStart: ({ driver }) => seedDemoCustomers(driver).then(() => {}),
    databaseUrl,
    dataDir,
    migrate: false,
  });
  const address = await app.listen({ port: 0, host: "127.0.0.1" });
  return { app, logs, url: address.graphqlUrl };
}

export const RUN_UPDATED = /* GraphQL */ `
  subscription RunUpdated($id: ID!) {
    workflowRunUpdated(id: $id) {
      id
      status
      failedStep
      updatedAt
      steps {
        name
        status
        attempts
        error
        startedAt
        endedAt
      }
    }
  }
`;

export interface RunUpdate {
  workflowRunUpdated: {
    id: string;
    status: string;
    failedStep: string | null;
    updatedAt: string;
    steps: Array<{
      name: string;
      status: string;
      attempts: number;
      error: string | null;
      startedAt: string | null;
      endedAt: string | null;
    }>;
  };
}

/** A product with `stock` units and an order for one of it, shipped to `country`; returns the order id. */
export async function createOrder(url: string, options: { sku: string; country?: string }): Promise<string> {
  await graphql(
    url,
    `
      mutation ($data: ProductCreateInput!) {
        productCreate(data: $data) {
          id
        }
      }
    `,
    {
      data: { name: `Product ${options.sku}`, sku: options.sku, price: 10, stock: 5 },
    },
  );
  const items = JSON.stringify([{ sku: options.sku, quantity: 1 }]);
  const created = await graphql<{ orderCreate: { id: string } }>(
    url,
    `
      mutation ($data: OrderCreateInput!) {
        orderCreate(data: $data) {
          id
        }
      }
    `,
    {
      // The demo customer's, so GraphiQL's default (customer) headers see its runs too.
      data: { items, total: 10, shippingCountry: options.country ?? "US", customerId: CUSTOMER_A },
    },
  );
  return created.orderCreate.id;
}

export interface CheckoutOutcome {
  __typename: string;
  runId: string | null;
}

/** Sends the checkout without waiting for it; the promise settles when the run has ended. */
export function checkout(url: string, orderId: string, paymentMethodId: string): Promise<CheckoutOutcome> {
  const query = `mutation($id: ID!, $input: OrderCheckoutInput!) {
    orderCheckout(id: $id, input: $input) { __typename ... on OrderCheckoutSuccess { runId } ... on WorkflowError { failedRunId: runId } }
  }`;
  type Answer = { orderCheckout: { __typename: string; runId?: string; failedRunId?: string | null } };
  return graphql<Answer>(url, query, { id: orderId, input: { paymentMethodId } }).then(
    ({ orderCheckout: { __typename, runId, failedRunId } }) => ({
      __typename,
      runId: runId ?? failedRunId ?? null,
    }),
  );
}

/** The id of the checkout run of `orderId` while it is still RUNNING, as `workflowRuns` lists it. */
export async function runningRunOf(url: string, orderId: string): Promise<string> {
  const query = `query { workflowRuns(status: RUNNING, workflow: "order.checkout") { id resourceId } }`;
  return retryUntil(
    async () => {
      const { workflowRuns } = await graphql<{ workflowRuns: Array<{ id: string; resourceId: string | null }> }>(
        url,
        query,
      );
      return workflowRuns.find((run) => run.resourceId === orderId)?.id;
    },
    { what: `the running checkout of order ${orderId}` },
  );
}

export async function graphql<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const response = await postGraphQL<T>(url, query, variables, adminHeaders());
  if (response.body.errors?.length || !response.body.data)
    throw new Error(`GraphQL failed: ${JSON.stringify(response.body.errors)}`);
  return response.body.data;
}

/** Where a step's status stands in its life: a later payload may only move it forward. */
const STEP_STAGE: Record<string, number> = {
  PENDING: 0,
  RUNNING: 1,
  COMPLETED: 2,
  FAILED: 2,
  SKIPPED: 2,
  COMPENSATING: 3,
  COMPENSATED: 4,
  COMPENSATION_FAILED: 4,
};
const RUN_STAGE: Record<string, number> = { RUNNING: 0, COMPENSATING: 1, COMPLETED: 2, COMPENSATED: 2, FAILED: 2 };

/**
 * What is wrong with the payloads as they arrived, unfolded: a snapshot equal to the one before it (every
 * journaled event changes what RUN_UPDATED selects, so an equal one is a transition sent twice), a run or step
 * status that moves backwards, an attempt count that falls, or a payload that is not the run. Empty when none.
 */
export function sequenceProblems(payloads: Array<{ data?: RunUpdate | null; errors?: unknown }>): string[] {
  const problems: string[] = [];
  let previous: RunUpdate["workflowRunUpdated"] | undefined;
  payloads.forEach((payload, i) => {
    const run = payload.data?.workflowRunUpdated;
    if (!run || payload.errors !== undefined)
      return void problems.push(`#${i} is not a snapshot: ${JSON.stringify(payload)}`);
    if (previous) {
      if (JSON.stringify(run) === JSON.stringify(previous)) problems.push(`#${i} repeats #${i - 1}`);
      if (RUN_STAGE[run.status]! < RUN_STAGE[previous.status]!)
        problems.push(`#${i} run ${previous.status} -> ${run.status}`);
      run.steps.forEach((step, index) => {
        const before = previous!.steps[index]!;
        if (STEP_STAGE[step.status]! < STEP_STAGE[before.status]!)
          problems.push(`#${i} ${step.name} ${before.status} -> ${step.status}`);
        if (step.attempts < before.attempts)
          problems.push(`#${i} ${step.name} attempts ${before.attempts} -> ${step.attempts}`);
      });
    }
    previous = run;
  });
  return problems;
}

/** The run's status in each payload, with consecutive repeats folded: RUNNING, COMPENSATING, COMPENSATED. */
export function statusProgression(payloads: Array<{ data?: RunUpdate | null }>): string[] {
  const statuses = payloads.map((payload) => payload.data?.workflowRunUpdated.status ?? "ERROR");
  return statuses.filter((status, i) => i === 0 || status !== statuses[i - 1]);
}

/** One step's status in each payload, repeats folded: e.g. PENDING, RUNNING, COMPLETED. */
export function stepProgression(payloads: Array<{ data?: RunUpdate | null }>, step: string): string[] {
  const statuses = payloads.map(
    (payload) => payload.data?.workflowRunUpdated.steps.find((s) => s.name === step)?.status ?? "MISSING",
  );
  return statuses.filter((status, i) => i === 0 || status !== statuses[i - 1]);
}
