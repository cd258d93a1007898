import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Provider } from "../helpers/fresh-database.ts";
import { relationsApp, type RelationsApp } from "../helpers/relations-app.ts";
import {
  belongsTo,
  checkRelations,
  entity,
  ForeignKeyConstraintError,
  hasMany,
  InMemoryRunJournal,
  int,
  ServiceRegistry,
  string,
} from "../../src/index.ts";
import { buildSchema } from "../../src/graphql/build-schema.ts";
import { silentLogger } from "../../src/engine/logger.ts";
import { getDatamodel } from "../../generated/relations/sqlite/pothos-types.ts";
import { relationGuard } from "../../src/graphql/relation-guard.ts";
import { customer as customerEntity, entities } from "../fixtures/relations/entities.ts";

/** The fixture's trip, as declared, to change one thing in it. */
const tripDeclaration = {
  destination: string,
  nights: int.default(1),
  customer: belongsTo("customer"),
  guide: belongsTo("guide", { onDelete: "setNull" }).optional(),
  bookings: hasMany("booking"),
};

const CREATE_CUSTOMER = "mutation ($data: CustomerCreateInput!) { customerCreate(data: $data) { id } }";
const CREATE_TRIP =
  "mutation ($data: TripCreateInput!) { tripCreate(data: $data) { id customerId customer { name } guide { name } } }";

describe.each<Provider>(["sqlite", "postgresql"])("relations over GraphQL on %s", { timeout: 60_000 }, (provider) => {
  let app: RelationsApp;
  beforeAll(async () => {
    app = await relationsApp(provider);
  });
  afterAll(async () => {
    await app?.close();
  });
  beforeEach(async () => {
    await app.prisma.booking.deleteMany();
    await app.prisma.trip.deleteMany();
    await app.prisma.customer.deleteMany();
    await app.prisma.guide.deleteMany();
  });

  async function customer(name: string): Promise<string> {
    const result = await app.gql(CREATE_CUSTOMER, { data: { name, email: `${name}@example.com` } });
    expect(result.errors).toBeUndefined();
    return result.data!.customerCreate.id;
  }

  async function trip(customerId: string, destination: string, extra: Record<string, unknown> = {}): Promise<string> {
    const result = await app.gql(CREATE_TRIP, { data: { destination, customerId, ...extra } });
    expect(result.errors).toBeUndefined();
    return result.data!.tripCreate.id;
  }

  it("stores customerId from the create input and reads the customer back through Trip.customer", async () => {
    const ada = await customer("ada");
    const created = await app.gql(CREATE_TRIP, { data: { destination: "Lisbon", customerId: ada } });
    expect(created.data?.tripCreate).toMatchObject({ customerId: ada, customer: { name: "ada" }, guide: null });
  });

  it("lists a customer's trips with the list arguments, and filters them on the trip's fields", async () => {
    const ada = await customer("ada");
    for (const destination of ["Lisbon", "Oslo", "Rome", "Lima"]) await trip(ada, destination);
    const result = await app.gql(
      `query ($id: ID!) { customer(id: $id) {
      trips(where: { destination: { startsWith: "L" } }, orderBy: [{ destination: DESC }], take: 1, skip: 1) { destination }
      all: trips { destination } } }`,
      { id: ada },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.customer.trips).toEqual([{ destination: "Lima" }]);
    expect(result.data?.customer.all.map((t: { destination: string }) => t.destination)).toEqual([
      "Lisbon",
      "Oslo",
      "Rome",
      "Lima",
    ]);
  });

  it("refuses a nested take above the limit with BAD_USER_INPUT, as the top-level list does", async () => {
    await customer("ada");
    const result = await app.gql(`{ customers { trips(take: 1000) { destination } } }`);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "take" });
    expect(result.errors?.[0]?.message).toBe("take must be between 0 and 200");
  });

  it("filters trips on their customer's fields and customers on their trips'", async () => {
    const ada = await customer("ada");
    const bob = await customer("bob");
    await customer("cy");
    await trip(ada, "Lisbon");
    await trip(bob, "Oslo");
    await trip(bob, "Lisbon");
    const trips = await app.gql(
      `{ trips(where: { customer: { name: { equals: "bob" } } }, orderBy: [{ destination: ASC }]) { destination } }`,
    );
    expect(trips.data?.trips).toEqual([{ destination: "Lisbon" }, { destination: "Oslo" }]);
    const names = async (where: string) =>
      (await app.gql(`{ customers(where: ${where}, orderBy: [{ name: ASC }]) { name } }`)).data?.customers.map(
        (c: { name: string }) => c.name,
      );
    expect(await names(`{ trips: { some: { destination: { equals: "Oslo" } } } }`)).toEqual(["bob"]);
    expect(await names(`{ trips: { every: { destination: { equals: "Lisbon" } } } }`)).toEqual(["ada", "cy"]);
    expect(await names(`{ trips: { none: { destination: { equals: "Lisbon" } } } }`)).toEqual(["cy"]);
    expect(await names(`{ trips: { some: {} } }`)).toEqual(["ada", "bob"]);
    // Two hops: customers with a trip that has a booking on seat 1A.
    const booked = await trip(ada, "Rome");
    await app.prisma.booking.create({ data: { seat: "1A", tripId: booked } });
    expect(await names(`{ trips: { some: { bookings: { some: { seat: { equals: "1A" } } } } } }`)).toEqual(["ada"]);
  });

  it("refuses a customerId that names no customer with BAD_USER_INPUT, and stores nothing", async () => {
    const result = await app.gql(CREATE_TRIP, { data: { destination: "Nowhere", customerId: "no-such-customer" } });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: ["customerId"] });
    expect(result.errors?.[0]?.message).toMatch(/customerId names no Customer/);
    expect(await app.prisma.trip.count()).toBe(0);
    const ada = await customer("ada");
    const id = await trip(ada, "Lisbon");
    const update = await app.gql(`mutation ($id: ID!) { tripUpdate(id: $id, data: { customerId: "gone" }) { id } }`, {
      id,
    });
    expect(update.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: ["customerId"] });
    expect((await app.prisma.trip.findUnique({ where: { id } }))?.customerId).toBe(ada);
  });

  it("requires customerId on create, and moves a trip to another customer on update", async () => {
    const missing = await app.gql(`mutation { tripCreate(data: { destination: "Lisbon" }) { id } }`);
    expect(missing.errors?.[0]?.message).toMatch(/customerId/);
    const ada = await customer("ada");
    const bob = await customer("bob");
    const id = await trip(ada, "Lisbon");
    const moved = await app.gql(
      `mutation ($id: ID!, $to: ID!) { tripUpdate(id: $id, data: { customerId: $to }) { customer { name } } }`,
      { id, to: bob },
    );
    expect(moved.data?.tripUpdate).toEqual({ customer: { name: "bob" } });
  });

  it("refuses deleting a customer that trips point at with CONFLICT, changing nothing", async () => {
    const ada = await customer("ada");
    await trip(ada, "Lisbon");
    const refused = await app.gql(`mutation ($id: ID!) { customerDelete(id: $id) { id } }`, { id: ada });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "CONFLICT", relation: "trip.customer" });
    expect(refused.errors?.[0]?.message).toMatch(/1 Trip row\(s\) point at it through trip.customer/);
    expect(await app.prisma.customer.count()).toBe(1);
    expect(await app.prisma.trip.count()).toBe(1);
  });

  it("deletes a trip's bookings with it (cascade) and clears the guide of a guide's trips (setNull)", async () => {
    const ada = await customer("ada");
    const guide = await app.prisma.guide.create({ data: { name: "Gus" } });
    const id = await trip(ada, "Lisbon", { guideId: guide.id });
    await app.prisma.booking.createMany({
      data: [
        { seat: "1A", tripId: id },
        { seat: "1B", tripId: id },
      ],
    });
    expect(
      (await app.gql(`mutation ($id: ID!) { guideDelete(id: $id) { id } }`, { id: guide.id })).errors,
    ).toBeUndefined();
    expect((await app.prisma.trip.findUnique({ where: { id } }))?.guideId).toBeNull();
    expect((await app.gql(`mutation ($id: ID!) { tripDelete(id: $id) { id } }`, { id })).errors).toBeUndefined();
    expect(await app.prisma.booking.count()).toBe(0);
  });

  it("keeps the link in the database too: a delete past the API's check is refused there, and reported as CONFLICT", async () => {
    const bob = await customer("bob");
    await app.prisma.trip.create({ data: { destination: "Oslo", customerId: bob } });
    const refusal = await app.prisma.customer.delete({ where: { id: bob } }).catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: "P2003" });
    const guard = relationGuard(app.prisma, customerEntity, checkRelations([...entities]))!;
    expect(() => guard.translate(refusal, "delete", bob)).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: "CONFLICT", id: bob }) }),
    );
    expect(() => guard.translate(refusal, "write", undefined)).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: "BAD_USER_INPUT" }) }),
    );
    expect(await app.prisma.customer.count()).toBe(1);
  });

  it("lets steps read related rows through the driver by their foreign key", async () => {
    const ada = await customer("ada");
    await trip(ada, "Lisbon");
    await trip(ada, "Oslo");
    const rows = await app.driver.findMany<{ destination: string; customerId: string }>("trip", {
      where: { customerId: ada },
      orderBy: { destination: "asc" },
    });
    expect(rows.map((r) => [r.destination, r.customerId])).toEqual([
      ["Lisbon", ada],
      ["Oslo", ada],
    ]);
    expect((await app.driver.create("trip", { destination: "Rome", customerId: ada })).customerId).toBe(ada);
  });

  it("refuses, through the driver, a foreign key naming no row and deleting a row trips point at", async () => {
    const ada = await customer("ada");
    await trip(ada, "Lisbon");
    await expect(app.driver.create("trip", { destination: "Oslo", customerId: "nobody" })).rejects.toBeInstanceOf(
      ForeignKeyConstraintError,
    );
    await expect(app.driver.delete("customer", { id: ada })).rejects.toMatchObject({
      code: "FOREIGN_KEY_CONSTRAINT",
      entity: "customer",
    });
    expect(await app.driver.count("customer")).toBe(1);
    expect(await app.driver.count("trip")).toBe(1);
  });
});

describe("a Prisma client out of step with the relations", () => {
  it("fails the schema build naming the missing relation field", async () => {
    const app = await relationsApp("sqlite");
    try {
      const [customer, guide, , booking] = entities;
      const changed = entity("trip", { ...tripDeclaration, lastBooking: belongsTo("booking").optional() });
      const runtime = {
        driver: app.driver,
        store: new InMemoryRunJournal(),
        services: new ServiceRegistry(),
        logger: silentLogger,
      };
      expect(() =>
        buildSchema({
          entities: [customer, guide, changed, booking],
          runtime,
          prisma: app.prisma,
          datamodel: getDatamodel(),
        }),
      ).toThrow(/The Prisma model "Trip" lacks lastBookingId, lastBooking: regenerate/);
    } finally {
      await app.close();
    }
  });
});
