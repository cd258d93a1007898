import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { action, createEntityStep, updateEntityStep } from "../../src/index.ts";
import { booking, customer, guide, trip } from "../fixtures/relations/entities.ts";
import { relationsApp, type RelationsApp } from "../helpers/relations-app.ts";

describe("relations in an action's result", { timeout: 60_000 }, () => {
  let app: RelationsApp;
  beforeAll(async () => {
    const moving = trip.actions({
      rebook: action().workflow([
        updateEntityStep(
          "move",
          trip,
          (ctx) => ({ id: ctx.resourceId! }),
          async (ctx) => {
            const other = await ctx.driver.findOne<{ id: string }>("customer", { email: "bob@example.com" });
            return { customerId: other!.id };
          },
        ),
        createEntityStep("book", booking, (ctx) => ({ seat: "9F", tripId: ctx.resourceId! })),
      ]),
    });
    app = await relationsApp("sqlite", { entities: [customer, guide, moving, booking] });
  });
  afterAll(async () => {
    await app?.close();
  });

  it("reads the resource's related rows after the run", async () => {
    const ada = await app.prisma.customer.create({ data: { name: "ada", email: "ada@example.com" } });
    await app.prisma.customer.create({ data: { name: "bob", email: "bob@example.com" } });
    const { id } = await app.prisma.trip.create({ data: { destination: "Lisbon", customerId: ada.id } });
    const result = await app.gql(
      `mutation ($id: ID!) { tripRebook(id: $id) { ... on TripRebookSuccess { trip { customer { name } bookings { seat } } } ... on WorkflowError { message } } }`,
      { id },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.tripRebook).toEqual({ trip: { customer: { name: "bob" }, bookings: [{ seat: "9F" }] } });
  });
});
