/**
 * A `belongsTo` is its foreign key in every typed place a row or its data appears: `EntityRow`, `InferCreate`,
 * `ctx.resource` in an action, and the data of `createEntityStep` and `updateEntityStep`. Misuse is a compile error.
 */
import { describe, expectTypeOf, test } from "vitest";
import {
  action,
  belongsTo,
  createEntityStep,
  entity,
  hasMany,
  step,
  string,
  updateEntityStep,
  type EntityRow,
  type InferCreate,
  type InferUpdate,
} from "../../src/index.ts";

const customer = entity("customer", { name: string, trips: hasMany("trip") });
const trip = entity("trip", {
  destination: string,
  customer: belongsTo("customer"),
  guide: belongsTo("guide", { onDelete: "setNull" }).optional(),
}).actions({
  rebook: action().workflow([
    step("read", async (ctx) => {
      expectTypeOf(ctx.resource.customerId).toEqualTypeOf<string>();
      expectTypeOf(ctx.resource.guideId).toEqualTypeOf<string | null>();
      // The row itself: relations are read through the driver, not loaded into it.
      // @ts-expect-error no customer object on the row
      void ctx.resource.customer;
      return ctx.driver.findMany("trip", { where: { customerId: ctx.resource.customerId } });
    }),
  ]),
});

describe("relation types", () => {
  test("the row has the foreign keys, typed, and no relation objects", () => {
    expectTypeOf<EntityRow<typeof trip>>().toEqualTypeOf<{
      id: string;
      createdAt: Date;
      updatedAt: Date;
      destination: string;
      customerId: string;
      guideId: string | null;
    }>();
    expectTypeOf<EntityRow<typeof customer>>().toEqualTypeOf<{
      id: string;
      createdAt: Date;
      updatedAt: Date;
      name: string;
    }>();
  });

  test("creating needs a required foreign key and may leave out an optional one; updating may change either", () => {
    expectTypeOf<InferCreate<typeof trip.fields>>().toEqualTypeOf<{
      destination: string;
      customerId: string;
      guideId?: string | null;
    }>();
    expectTypeOf<InferUpdate<typeof trip.fields>>().toEqualTypeOf<{
      destination?: string;
      customerId?: string;
      guideId?: string | null;
    }>();
  });

  test("createEntityStep checks its data against the entity's foreign keys and types its row", () => {
    const created = createEntityStep("book", trip, () => ({ destination: "Lisbon", customerId: "c1" }));
    expectTypeOf(created.execute).returns.resolves.toMatchTypeOf<{ customerId: string; guideId: string | null }>();
    // @ts-expect-error customerId is required
    createEntityStep("book", trip, () => ({ destination: "Lisbon" }));
    // @ts-expect-error customerId holds an id, not a number
    createEntityStep("book", trip, () => ({ destination: "Lisbon", customerId: 42 }));
    // By name, the data is any row: nothing to check against.
    createEntityStep("book", "trip", () => ({ destination: "Lisbon" }));
  });

  test("updateEntityStep checks its data against the entity's fields", () => {
    updateEntityStep(
      "move",
      trip,
      () => ({ id: "t1" }),
      () => ({ customerId: "c2", guideId: null }),
    );
    updateEntityStep(
      "move",
      trip,
      () => ({ id: "t1" }),
      // @ts-expect-error customerId holds an id, not a number
      () => ({ customerId: 7 }),
    );
    updateEntityStep(
      "move",
      trip,
      () => ({ id: "t1" }),
      // @ts-expect-error a required foreign key cannot be cleared
      () => ({ customerId: null }),
    );
  });
});
