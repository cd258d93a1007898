import { describe, expect, it } from "vitest";
import { order, product } from "../../examples/checkout/entities.ts";
import { getDatamodel } from "../../generated/checkout/sqlite/pothos-types.ts";
import { buildSchema, type BuildSchemaOptions } from "../../src/graphql/build-schema.ts";
import { pluralize } from "../../src/graphql/names.ts";
import { action, entity, InMemoryRunJournal, ServiceRegistry, step, string } from "../../src/index.ts";
import type { Driver } from "../../src/engine/definition/driver.ts";
import { silentLogger } from "../../src/engine/logger.ts";

/** Building a schema runs no query, so delegates only need to exist. */
const fakePrisma = {
  $connect: async () => {},
  product: { findMany: async () => [] },
  order: { findMany: async () => [] },
};

function options(entities: BuildSchemaOptions["entities"]): BuildSchemaOptions {
  const runtime = {
    driver: {} as Driver,
    store: new InMemoryRunJournal(),
    services: new ServiceRegistry(),
    logger: silentLogger,
  };
  return { entities, runtime, prisma: fakePrisma, datamodel: getDatamodel() };
}

describe("buildSchema", () => {
  it("refuses two entities that want one query field", () => {
    const orders = entity("orders", { note: string });
    expect(() => buildSchema(options([order, orders]))).toThrow(
      'GraphQL field Query.orders is claimed twice: by entity "order" (list) and by entity "orders"',
    );
  });

  it("refuses an action whose mutation another entity's CRUD mutation has", () => {
    const orderItem = entity("orderItem", { sku: string });
    const clashing = order.actions({ itemCreate: action().workflow([step("noop", () => null)]) });
    expect(() => buildSchema(options([clashing, orderItem]))).toThrow(/Mutation\.orderItemCreate is claimed twice/);
  });

  it("refuses two entities with the same name", () => {
    expect(() => buildSchema(options([product, product]))).toThrow(/Query\.product is claimed twice/);
  });

  it("names the entity whose Prisma model the generated datamodel lacks", () => {
    const invoice = entity("invoice", { number: string });
    expect(() => buildSchema(options([invoice]))).toThrow(
      'The Prisma datamodel has no model "Invoice" for entity "invoice"',
    );
  });

  it("names the fields a stale generated model lacks", () => {
    const newer = entity("product", { name: string, sku: string, colour: string.optional() });
    expect(() => buildSchema(options([newer]))).toThrow('The Prisma model "Product" lacks colour');
  });
});

describe("pluralize", () => {
  it.each([
    ["order", "orders"],
    ["category", "categories"],
    ["day", "days"],
    ["address", "addresses"],
    ["box", "boxes"],
    ["batch", "batches"],
    ["wish", "wishes"],
    ["product", "products"],
  ])("%s → %s", (singular, plural) => {
    expect(pluralize(singular)).toBe(plural);
  });
});
