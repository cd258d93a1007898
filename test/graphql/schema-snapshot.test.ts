import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type GraphQLNamedType,
  type GraphQLSchema,
  isEnumType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  parse,
  validate,
} from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { checkoutSchema } from "../../scripts/checkout-sdl.ts";
import { printSortedSchema } from "../../src/graphql/print-sorted-schema.ts";

const SCHEMA_FILE = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "schema", "schema.graphql");

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await checkoutSchema();
});

describe("schema/schema.graphql", () => {
  it("matches the schema the checkout example serves (run `npm run schema:print` after changing it)", async () => {
    expect(await readFile(SCHEMA_FILE, "utf8"), "schema/schema.graphql is stale: run `npm run schema:print`").toBe(
      printSortedSchema(schema),
    );
  });
});

/** Field name → printed type (`ID!`, `[String!]!`), with arguments for root fields. */
function fieldsOf(type: GraphQLNamedType | undefined | null): Record<string, string> {
  if (!type || !(isObjectType(type) || isInterfaceType(type))) throw new Error(`${type?.name} has no fields`);
  return Object.fromEntries(
    Object.values(type.getFields()).map((field) => {
      const args = field.args.length > 0 ? `(${field.args.map((a) => `${a.name}: ${a.type}`).join(", ")})` : "";
      return [field.name, `${args}${field.type}`];
    }),
  );
}

// Read from the live schema, not the sorted SDL: arguments keep their declared order there.
describe("the checkout schema has its documented shape", () => {
  it("has the entity queries and CRUD mutations", () => {
    expect(fieldsOf(schema.getQueryType())).toMatchObject({
      order: "(id: ID!)Order",
      orders: "(where: OrderWhereInput, orderBy: [OrderOrderByInput!], take: Int, skip: Int)[Order!]!",
      workflowRun: "(id: ID!)WorkflowRun",
      workflowRuns:
        "(status: WorkflowRunStatus, workflow: String, take: Int, skip: Int, createdAfter: DateTime, createdBefore: DateTime)[WorkflowRun!]!",
    });
    expect(fieldsOf(schema.getMutationType())).toMatchObject({
      orderCreate: "(data: OrderCreateInput!)Order!",
      orderUpdate: "(id: ID!, data: OrderUpdateInput!)Order",
      orderDelete: "(id: ID!)Order",
      orderCheckout:
        "(id: ID!, input: OrderCheckoutInput!, idempotencyKey: String, async: Boolean)OrderCheckoutResult!",
      workflowRunCancel: "(id: ID!, reason: String)WorkflowRun",
      workflowRunRetry: "(id: ID!, reason: String)WorkflowRun",
      workflowRunResume: "(id: ID!, reason: String)WorkflowRun",
    });
  });

  it("types entities with their scalars and nullability", () => {
    expect(fieldsOf(schema.getType("Order"))).toEqual({
      id: "ID!",
      createdAt: "DateTime!",
      updatedAt: "DateTime!",
      items: "String!",
      total: "Float!",
      status: "String!",
      chargeId: "String",
      shipmentId: "String",
      shippingCountry: "String!",
      customerId: "ID",
      customer: "Customer",
    });
    expect(fieldsOf(schema.getType("Customer"))).toMatchObject({
      id: "ID!",
      name: "String!",
      email: "String!",
      orders: "(where: OrderWhereInput, orderBy: [OrderOrderByInput!], take: Int, skip: Int)[Order!]!",
    });
    expect(fieldsOf(schema.getType("Product"))).toMatchObject({ price: "Float!", stock: "Int!", sku: "String!" });
  });

  it("has the action result union, its success member and the WorkflowError interface", () => {
    const union = schema.getType("OrderCheckoutResult");
    if (!isUnionType(union)) throw new Error("OrderCheckoutResult is not a union");
    expect(
      union
        .getTypes()
        .map((t) => t.name)
        .sort(),
    ).toEqual([
      "CompensationFailedError",
      "ForbiddenError",
      "IdempotencyConflictError",
      "NotFoundError",
      "OrderCheckoutStarted",
      "OrderCheckoutSuccess",
      "ResourceBusyError",
      "RunInProgressError",
      "StepFailedError",
      "ValidationError",
      "WorkflowCancelledError",
    ]);
    expect(fieldsOf(schema.getType("OrderCheckoutSuccess"))).toEqual({
      result: "JSON!",
      order: "Order",
      runId: "ID",
      replayed: "Boolean!",
    });
    const workflowError = {
      message: "String!",
      code: "String!",
      failedStep: "String",
      compensatedSteps: "[String!]!",
      runId: "ID",
    };
    expect(fieldsOf(schema.getType("WorkflowError"))).toEqual(workflowError);
    for (const member of union.getTypes().filter((t) => t.name.endsWith("Error"))) {
      expect(member.getInterfaces().map((i) => i.name)).toEqual(["WorkflowError"]);
      expect(fieldsOf(member)).toMatchObject(workflowError);
    }
  });

  it("gives every field shared by members of an action result one type, so no selection needs an alias", () => {
    const unions = Object.values(schema.getTypeMap()).filter((t) => isUnionType(t) && t.name.endsWith("Result"));
    expect(unions.length).toBeGreaterThan(0);
    for (const union of unions) {
      if (!isUnionType(union)) continue;
      const typesByField = new Map<string, Set<string>>();
      for (const member of union.getTypes()) {
        for (const [name, type] of Object.entries(fieldsOf(member)))
          typesByField.set(name, (typesByField.get(name) ?? new Set()).add(type));
      }
      const clashes = [...typesByField]
        .filter(([, types]) => types.size > 1)
        .map(([name, types]) => `${union.name}.${name}: ${[...types].join(" vs ")}`);
      expect(clashes).toEqual([]);
    }
  });

  it("validates the natural selection of runId on the success member and on WorkflowError", () => {
    const document = parse(`mutation($id: ID!, $input: OrderCheckoutInput!) {
      orderCheckout(id: $id, input: $input) { ... on OrderCheckoutSuccess { runId replayed } ... on WorkflowError { runId code message } }
    }`);
    expect(validate(schema, document).map((e) => e.message)).toEqual([]);
  });

  it("has the run inspection types and enums", () => {
    const values = (name: string) => {
      const type = schema.getType(name);
      if (!isEnumType(type)) throw new Error(`${name} is not an enum`);
      return type
        .getValues()
        .map((v) => v.name)
        .sort();
    };
    expect(values("WorkflowRunStatus")).toEqual([
      "CANCELLED",
      "COMPENSATED",
      "COMPENSATING",
      "COMPLETED",
      "FAILED",
      "RUNNING",
    ]);
    expect(values("WorkflowStepStatus")).toEqual([
      "COMPENSATED",
      "COMPENSATING",
      "COMPENSATION_FAILED",
      "COMPLETED",
      "FAILED",
      "PENDING",
      "RUNNING",
      "SKIPPED",
    ]);
    expect(fieldsOf(schema.getType("WorkflowRun"))).toMatchObject({
      id: "ID!",
      workflow: "String!",
      status: "WorkflowRunStatus!",
      steps: "[WorkflowStepRun!]!",
    });
    expect(fieldsOf(schema.getType("WorkflowStepRun"))).toMatchObject({
      name: "String!",
      status: "WorkflowStepStatus!",
      attempts: "Int!",
      error: "String",
    });
  });
});
