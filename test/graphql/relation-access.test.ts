/**
 * Relations under access rules: a caller reaches through a relation only the rows the related entity's read rule
 * lets them read, in nested lists, in belongsTo fields, in relation filters and in an action's answer; and
 * nothing of a forbidden row leaks through any of them. Customers: only your own; trips: only the short ones
 * (admins read everything). See test/fixtures/relations/ruled-entities.ts.
 */
import { getNullableType, GraphQLNonNull, GraphQLObjectType, GraphQLInputObjectType } from "graphql";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { booking, customer, guide, trip } from "../fixtures/relations/entities.ts";
import { as, ruledEntities } from "../fixtures/relations/ruled-entities.ts";
import type { Provider } from "../helpers/fresh-database.ts";
import { relationsApp, type RelationsApp } from "../helpers/relations-app.ts";

const ADA = as("c1");
const ADMIN = as("root", "admin");

async function seed(app: RelationsApp): Promise<void> {
  await app.prisma.booking.deleteMany();
  await app.prisma.trip.deleteMany();
  await app.prisma.customer.deleteMany();
  await app.prisma.customer.createMany({
    data: [
      { id: "c1", name: "Ada", email: "ada@example.com" },
      { id: "c2", name: "Bo", email: "bo@example.com" },
    ],
  });
  const trips = [
    { id: "t1", destination: "Rome", nights: 3, customerId: "c1" },
    { id: "t2", destination: "Oslo", nights: 10, customerId: "c1" },
    { id: "t3", destination: "Nice", nights: 5, customerId: "c1" },
    { id: "t4", destination: "Lima", nights: 2, customerId: "c2" },
    { id: "t5", destination: "Cusco", nights: 14, customerId: "c2" },
  ];
  // One at a time, so the default oldest-first order is the order above.
  for (const data of trips) await app.prisma.trip.create({ data });
  for (const data of [
    { seat: "1A", tripId: "t2" },
    { seat: "2B", tripId: "t4" },
  ])
    await app.prisma.booking.create({ data });
}

describe.each<Provider>(["sqlite", "postgresql"])(
  "relations under access rules on %s",
  { timeout: 120_000 },
  (provider) => {
    let app: RelationsApp;
    beforeAll(async () => {
      app = await relationsApp(provider, { entities: [...ruledEntities] });
    });
    afterAll(async () => {
      await app?.close();
    });
    beforeEach(async () => {
      await seed(app);
    });

    const ok = async (query: string, request = ADA) => {
      const result = await app.gql(query, {}, request);
      expect(result.errors).toBeUndefined();
      return result.data!;
    };

    it("a nested list holds only the related rows the caller may read, and its take counts only those", async () => {
      const data = await ok("{ customers { id trips(take: 2) { destination nights } } }");
      expect(data.customers).toEqual([
        {
          id: "c1",
          trips: [
            { destination: "Rome", nights: 3 },
            { destination: "Nice", nights: 5 },
          ],
        },
      ]);
      const admin = await ok("{ customers { id trips(take: 2) { destination } } }", ADMIN);
      expect(admin.customers).toEqual([
        { id: "c1", trips: [{ destination: "Rome" }, { destination: "Oslo" }] },
        { id: "c2", trips: [{ destination: "Lima" }, { destination: "Cusco" }] },
      ]);
    });

    it("a nested list's own where, orderBy and skip apply within the readable rows", async () => {
      const data = await ok(
        `{ customers { trips(where: { nights: { gte: 3 } }, orderBy: [{ nights: DESC }], skip: 1) { destination } } }`,
      );
      // Readable and at least 3 nights, longest first: Nice, Rome; Oslo (10 nights) is not among them to skip.
      expect(data.customers).toEqual([{ trips: [{ destination: "Rome" }] }]);
    });

    it("a belongsTo to a row the caller may not read is null, and the field is nullable though the foreign key is required", async () => {
      const data = await ok("{ trips { destination customer { id name email } } }");
      expect(data.trips).toEqual([
        { destination: "Rome", customer: { id: "c1", name: "Ada", email: "ada@example.com" } },
        { destination: "Nice", customer: { id: "c1", name: "Ada", email: "ada@example.com" } },
        { destination: "Lima", customer: null },
      ]);
      const admin = await ok("{ trips { customer { id } } }", ADMIN);
      expect((admin.trips as Array<{ customer: { id: string } | null }>).map((t) => t.customer?.id)).toEqual([
        "c1",
        "c1",
        "c1",
        "c2",
        "c2",
      ]);
      const field = (app.schema.getType("Trip") as GraphQLObjectType).getFields().customer!;
      expect(field.type).not.toBeInstanceOf(GraphQLNonNull);
      // Booking.trip leads to a ruled entity too: a booking of a long trip has no trip for this caller.
      const bookings = await ok("{ bookings { seat trip { destination } } }");
      expect(bookings.bookings).toEqual([
        { seat: "1A", trip: null },
        { seat: "2B", trip: { destination: "Lima" } },
      ]);
    });

    it("a forbidden row is not reached through a chain of relations either", async () => {
      const data = await ok("{ customers { trips { customer { trips { destination } } } } }");
      const reached = JSON.stringify(data);
      for (const hidden of ["Oslo", "Cusco", "Bo", "Lima"]) expect(reached).not.toContain(hidden);
    });

    it("a filter across a belongsTo cannot probe a row the caller may not read", async () => {
      expect((await ok(`{ trips(where: { customer: { name: { equals: "Bo" } } }) { destination } }`)).trips).toEqual(
        [],
      );
      expect(
        (await ok(`{ bookings(where: { trip: { customer: { name: { equals: "Bo" } } } }) { seat } }`)).bookings,
      ).toEqual([]);
      expect((await ok(`{ bookings(where: { trip: { nights: { gt: 7 } } }) { seat } }`)).bookings).toEqual([]);
      // The same filters as an admin find the rows, so it is the rule that hides them.
      expect(
        (await ok(`{ trips(where: { customer: { name: { equals: "Bo" } } }) { destination } }`, ADMIN)).trips,
      ).toEqual([{ destination: "Lima" }, { destination: "Cusco" }]);
      expect((await ok(`{ bookings(where: { trip: { nights: { gt: 7 } } }) { seat } }`, ADMIN)).bookings).toEqual([
        { seat: "1A" },
      ]);
    });

    it("a filter across a hasMany counts only the related rows the caller may read, for some, none and every", async () => {
      const ids = async (where: string) =>
        ((await ok(`{ customers(where: ${where}) { id } }`)).customers as Array<{ id: string }>).map((c) => c.id);
      expect(await ids("{ trips: { some: { nights: { gt: 7 } } } }")).toEqual([]);
      expect(await ids("{ trips: { none: { nights: { gt: 7 } } } }")).toEqual(["c1"]);
      expect(await ids("{ trips: { every: { nights: { lte: 7 } } } }")).toEqual(["c1"]);
      expect(await ids("{ trips: { some: {} } }")).toEqual(["c1"]);
      const nested = await ok(
        `{ customers { trips(where: { bookings: { some: { seat: { equals: "1A" } } } }) { destination } } }`,
      );
      expect(nested.customers).toEqual([{ trips: [] }]);
      const adminIds = async (where: string) =>
        ((await ok(`{ customers(where: ${where}) { id } }`, ADMIN)).customers as Array<{ id: string }>).map(
          (c) => c.id,
        );
      expect(await adminIds("{ trips: { some: { nights: { gt: 7 } } } }")).toEqual(["c1", "c2"]);
      expect(await adminIds("{ trips: { every: { nights: { lte: 7 } } } }")).toEqual([]);
    });

    it("an anonymous caller reaches no customer through any relation", async () => {
      const result = await app.gql(
        `{ trips { customer { id } } customers(where: { trips: { some: {} } }) { id } }`,
        {},
        {},
      );
      expect(result.errors).toBeUndefined();
      expect(result.data!.customers).toEqual([]);
      expect((result.data!.trips as Array<{ customer: unknown }>).every((t) => t.customer === null)).toBe(true);
    });

    it("an action's answer holds its row only if the caller may read it after the run", async () => {
      const mutation = `mutation($id: ID!) { tripExtend(id: $id) { __typename ... on TripExtendSuccess { trip { id nights } } } }`;
      const mine = await app.gql(mutation, { id: "t1" }, ADA);
      expect(mine.errors).toBeUndefined();
      expect(mine.data!.tripExtend).toEqual({ __typename: "TripExtendSuccess", trip: null });
      expect((await app.prisma.trip.findUnique({ where: { id: "t1" } }))!.nights).toBe(30);
      const admin = await app.gql(mutation.replace("nights", "nights customer { id }"), { id: "t3" }, ADMIN);
      expect(admin.data!.tripExtend).toEqual({
        __typename: "TripExtendSuccess",
        trip: { id: "t3", nights: 30, customer: { id: "c1" } },
      });
    });

    it("a write's answer shows a related row only if the caller may read it", async () => {
      const create = `mutation($customerId: ID!) { tripCreate(data: { destination: "Bern", nights: 2, customerId: $customerId }) { destination customer { id name } } }`;
      const theirs = await app.gql(create, { customerId: "c2" }, ADA);
      expect(theirs.errors).toBeUndefined();
      expect(theirs.data!.tripCreate).toEqual({ destination: "Bern", customer: null });
      const mine = await app.gql(create, { customerId: "c1" }, ADA);
      expect(mine.data!.tripCreate).toEqual({ destination: "Bern", customer: { id: "c1", name: "Ada" } });
    });
  },
);

describe("relations to an entity under crud({ read: false })", () => {
  it("are not exposed: neither the field nor the filter leads to its rows", async () => {
    const app = await relationsApp("sqlite", { entities: [customer.crud({ read: false }), guide, trip, booking] });
    try {
      const tripFields = (app.schema.getType("Trip") as GraphQLObjectType).getFields();
      expect(Object.keys(tripFields)).not.toContain("customer");
      expect(Object.keys(tripFields)).toContain("guide");
      expect(Object.keys((app.schema.getType("TripWhereInput") as GraphQLInputObjectType).getFields())).not.toContain(
        "customer",
      );
      // The other direction leads to trips, which stay readable.
      const customerType = getNullableType(
        (app.schema.getType("Customer") as GraphQLObjectType).getFields().trips!.type,
      );
      expect(customerType).toBeDefined();
      const result = await app.gql("{ trips { customer { id } } }");
      expect(result.errors?.[0]?.message).toMatch(/Cannot query field "customer" on type "Trip"/);
    } finally {
      await app.close();
    }
  });
});
