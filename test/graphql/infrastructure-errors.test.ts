import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDatamodel } from "../../generated/fixtures/sqlite/pothos-types.ts";
import { buildSchema } from "../../src/graphql/build-schema.ts";
import { inProcessGraphQL } from "../helpers/in-process-graphql.ts";
import { action, entity, float, InMemoryRunJournal, int, ServiceRegistry, step, string } from "../../src/index.ts";
import { publicError } from "../../src/action/public-error.ts";
import { entities } from "../fixtures/entities.ts";
import {
  createSqliteTestDatabase,
  type SqliteFixturesPrismaClient,
  type TestDatabase,
} from "../helpers/test-database.ts";
import { RecordingLogger } from "../engine/recording-logger.ts";

// The fixtures' product, with an action whose database step writes a value no integer column holds (2^70): the
// driver's own error ("Unable to fit value … into a 32-bit signed integer" and the like) is what a client must not see.
const product = entity("product", { sku: string.unique(), name: string, price: float, stock: int.default(0) }).actions({
  overstock: action({ description: "Sets a stock no column holds." }).workflow([
    step(
      "write-stock",
      async (ctx) => ctx.driver.update("product", { id: ctx.resourceId }, { stock: 2 ** 70 }),
      undefined,
      { effect: "database" },
    ),
  ]),
});
const appEntities = entities.map((e) => (e.name === "product" ? product : e));

const OVERSTOCK = /* GraphQL */ `
  mutation ($id: ID!) {
    productOverstock(id: $id) {
      __typename
      ... on WorkflowError {
        message
        code
        failedStep
        runId
      }
      ... on StepFailedError {
        causeCode
      }
    }
  }
`;

let database: TestDatabase<SqliteFixturesPrismaClient>;
const store = new InMemoryRunJournal();
const logger = new RecordingLogger();
let gql: (
  query: string,
  variables?: Record<string, unknown>,
) => Promise<{ data?: Record<string, any> | null; errors?: unknown[] }>;

beforeAll(async () => {
  database = await createSqliteTestDatabase();
  const runtime = { driver: database.driver, store, services: new ServiceRegistry(), logger };
  const schema = buildSchema({ entities: appEntities, runtime, prisma: database.prisma, datamodel: getDatamodel() });
  gql = inProcessGraphQL(schema);
});
afterAll(async () => {
  await database.close();
});

describe("a run that fails on an infrastructure error", () => {
  it("shows its client a stable code and a plain message; the journal and the log keep the driver's text", async () => {
    const { id } = await database.prisma.product.create({ data: { sku: "BIG", name: "Big", price: 1 } });

    const response = await gql(OVERSTOCK, { id });

    expect(response.errors).toBeUndefined();
    const outcome = response.data!.productOverstock;
    expect(outcome).toMatchObject({ __typename: "StepFailedError", code: "ACTION_ERROR", failedStep: "write-stock" });
    expect(["INVALID_DATA", "DATABASE_ERROR"]).toContain(outcome.causeCode);
    expect(outcome.message).toMatch(/^Step "write-stock" failed: .+; the details are in the server's log$/);
    const journaled = (await store.getRun(outcome.runId))!.error!;
    expect(journaled.message).not.toBe(outcome.message);
    expect(outcome.message).not.toContain(journaled.message);
    const logged = logger.at("error").find((entry) => entry.details.runId === outcome.runId);
    expect(logged?.details.err).toEqual(journaled);

    const run = await gql(`query ($id: ID!) { workflowRun(id: $id) { error errorCode steps { error errorCode } } }`, {
      id: outcome.runId,
    });
    expect(run.data!.workflowRun).toEqual({
      error: outcome.message,
      errorCode: outcome.causeCode,
      steps: [{ error: outcome.message, errorCode: outcome.causeCode }],
    });
    expect(await database.prisma.product.findUnique({ where: { id } })).toMatchObject({ stock: 0 });
  });
});

describe("publicError", () => {
  it("keeps a step's own error as it is, and turns the driver's, the connection's and the engine's into plain ones", () => {
    expect(
      publicError(
        { name: "PaymentDeclinedError", message: "Payment failed: card declined", code: "PAYMENT_DECLINED" },
        "charge-payment",
      ),
    ).toEqual({
      message: "Payment failed: card declined",
      code: "PAYMENT_DECLINED",
    });
    const infrastructure = [
      { name: "Error", message: "terminating connection due to administrator command", code: "57P01" },
      { name: "Error", message: "Connection terminated unexpectedly" },
      {
        name: "PrismaClientKnownRequestError",
        message: "Transaction API error: Transaction already closed",
        code: "P2028",
      },
      {
        name: "DatabaseUnavailableError",
        message: "Unable to start a transaction in the given time",
        code: "DATABASE_UNAVAILABLE",
      },
      {
        name: "TransactionCommitError",
        message: "COMMIT failed: could not serialize access",
        code: "TRANSACTION_COMMIT_FAILED",
      },
      {
        name: "InvalidDataError",
        message: "Unable to fit value 1e40 into a 64-bit signed integer",
        code: "INVALID_DATA",
      },
    ];
    for (const error of infrastructure) {
      const shown = publicError(error, "finalize");
      expect(shown.message, error.message).not.toContain(error.message);
      expect(shown.message).toMatch(/^Step "finalize" failed: /);
      expect(shown.code).toMatch(/^[A-Z_]+$/);
    }
    expect(publicError(infrastructure[3]!, null)).toEqual({
      message:
        "The run failed: the database stayed unavailable longer than the run waits; the details are in the server's log",
      code: "DATABASE_UNAVAILABLE",
    });
  });
});
