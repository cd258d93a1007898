/**
 * Nested selections must cost a bounded number of SQL statements whatever the number of rows: the same query over
 * a few rows and over many sends the same statements, one per level of nesting, on both databases. Statements are
 * counted at the Prisma driver adapter (see relations-app.ts), so the count is what the database runs.
 */
import { getOperationAST, parse } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryCost } from "../../src/server/query-cost.ts";
import type { Provider } from "../helpers/fresh-database.ts";
import { relationsApp, type RelationsApp } from "../helpers/relations-app.ts";
import { as, ruledEntities } from "../fixtures/relations/ruled-entities.ts";
import type { RequestContext } from "../../src/entity/define-action.ts";

const ONE_LEVEL = "{ customers(take: 50) { name trips { destination } } }";
const TWO_LEVELS = "{ customers(take: 50) { name trips { destination customer { email } bookings { seat } } } }";
const UP_AND_DOWN =
  "{ trips(take: 50) { destination customer { name trips(take: 2) { destination } } guide { name } } }";

interface Sizes {
  customers: number;
  tripsEach: number;
  bookingsEach: number;
}

async function seed(app: RelationsApp, sizes: Sizes): Promise<void> {
  await app.prisma.booking.deleteMany();
  await app.prisma.trip.deleteMany();
  await app.prisma.customer.deleteMany();
  const customers = Array.from({ length: sizes.customers }, (_, c) => ({
    id: `c${c}`,
    name: `customer ${c}`,
    email: `c${c}@example.com`,
  }));
  const trips = customers.flatMap((customer) =>
    Array.from({ length: sizes.tripsEach }, (_, t) => ({
      id: `${customer.id}t${t}`,
      destination: `place ${t}`,
      customerId: customer.id,
    })),
  );
  const bookings = trips.flatMap((trip) =>
    Array.from({ length: sizes.bookingsEach }, (_, b) => ({ seat: `${b}A`, tripId: trip.id })),
  );
  await app.prisma.customer.createMany({ data: customers });
  await app.prisma.trip.createMany({ data: trips });
  await app.prisma.booking.createMany({ data: bookings });
}

/** The statements one query sends, and how many rows of each kind it returned (so the test knows it read them). */
async function measure(
  app: RelationsApp,
  query: string,
  request?: RequestContext,
): Promise<{ statements: number; data: Record<string, unknown> }> {
  app.resetStatements();
  const result = await app.gql(query, {}, request);
  expect(result.errors).toBeUndefined();
  return { statements: app.statements(), data: result.data! };
}

const FEW: Sizes = { customers: 2, tripsEach: 1, bookingsEach: 1 };
const MANY: Sizes = { customers: 50, tripsEach: 12, bookingsEach: 4 };

describe.each<Provider>(["sqlite", "postgresql"])("nested selections on %s", { timeout: 120_000 }, (provider) => {
  let app: RelationsApp;
  beforeAll(async () => {
    app = await relationsApp(provider);
  });
  afterAll(async () => {
    await app?.close();
  });

  it("send one statement per level, the same for 2 customers as for 50 with 600 trips and 2400 bookings", async () => {
    const counts: Record<string, number[]> = { one: [], two: [], upAndDown: [] };
    for (const sizes of [FEW, MANY]) {
      await seed(app, sizes);
      const one = await measure(app, ONE_LEVEL);
      const customers = one.data.customers as Array<{ trips: unknown[] }>;
      expect(customers).toHaveLength(sizes.customers);
      expect(customers.every((c) => c.trips.length === sizes.tripsEach)).toBe(true);
      counts.one!.push(one.statements);
      const two = await measure(app, TWO_LEVELS);
      const bookings = (two.data.customers as Array<{ trips: Array<{ bookings: unknown[] }> }>).flatMap((c) =>
        c.trips.flatMap((t) => t.bookings),
      );
      expect(bookings).toHaveLength(sizes.customers * sizes.tripsEach * sizes.bookingsEach);
      counts.two!.push(two.statements);
      counts.upAndDown!.push((await measure(app, UP_AND_DOWN)).statements);
    }
    console.log(
      `measured on ${provider}: statements one-level=${counts.one} two-levels=${counts.two} up-and-down=${counts.upAndDown} (few rows, many rows)`,
    );
    // customers + trips; customers + trips + (customer, bookings); trips + (customer + its trips, guide).
    expect(counts.one).toEqual([2, 2]);
    expect(counts.two).toEqual([4, 4]);
    expect(counts.upAndDown).toEqual([4, 4]);
  });

  it("filter across relations inside the statement, without one per row", async () => {
    await seed(app, MANY);
    const filtered = await measure(
      app,
      `{ customers(take: 50, where: { trips: { some: { bookings: { some: { seat: { equals: "0A" } } } } } }) { name } }`,
    );
    expect((filtered.data.customers as unknown[]).length).toBe(MANY.customers);
    expect(filtered.statements).toBe(1);
  });
});

describe.each<Provider>(["sqlite", "postgresql"])(
  "nested selections under access rules on %s",
  { timeout: 120_000 },
  (provider) => {
    let app: RelationsApp;
    beforeAll(async () => {
      app = await relationsApp(provider, { entities: [...ruledEntities] });
    });
    afterAll(async () => {
      await app?.close();
    });

    it("stay bounded: the rules go into each level's statement, and a ruled belongsTo adds one batched check per level", async () => {
      const caller = as("c0");
      const counts: Record<string, number[]> = { down: [], upAndDown: [] };
      for (const sizes of [FEW, MANY]) {
        await seed(app, sizes);
        // Every trip is a night long, so readable; of the customers, only c0.
        const down = await measure(app, TWO_LEVELS, caller);
        const customers = down.data.customers as Array<{ trips: Array<{ customer: unknown; bookings: unknown[] }> }>;
        expect(customers).toHaveLength(1);
        expect(customers[0]!.trips).toHaveLength(sizes.tripsEach);
        counts.down!.push(down.statements);
        const upAndDown = await measure(app, UP_AND_DOWN, caller);
        const trips = upAndDown.data.trips as Array<{ customer: { name: string } | null }>;
        expect(trips).toHaveLength(Math.min(50, sizes.customers * sizes.tripsEach));
        expect(trips.filter((trip) => trip.customer !== null).map((trip) => trip.customer!.name)).toEqual(
          Array(sizes.tripsEach).fill("customer 0"),
        );
        counts.upAndDown!.push(upAndDown.statements);
      }
      console.log(
        `measured on ${provider} under rules: statements two-levels=${counts.down} up-and-down=${counts.upAndDown} (few rows, many rows)`,
      );
      // As without rules, plus one check of the customers each ruled belongsTo level reached.
      expect(counts.down).toEqual([5, 5]);
      expect(counts.upAndDown).toEqual([5, 5]);
    });
  },
);

describe("query cost of nested relation lists", () => {
  it("multiplies by each nested list's take, or by the default page size when it has none", async () => {
    const app = await relationsApp("sqlite");
    try {
      const schema = app.schema;
      const cost = (query: string) => {
        const document = parse(query);
        return queryCost(schema, document, getOperationAST(document)!, { defaultListSize: 50 });
      };
      expect(cost("{ customers(take: 10) { trips(take: 5) { destination } } }")).toBe(1 + 10 * (1 + 5 * 1));
      expect(cost("{ customers(take: 10) { trips { destination bookings(take: 2) { seat } } } }")).toBe(
        1 + 10 * (1 + 50 * (1 + 1 + 2 * 1)),
      );
      expect(cost("{ trips(take: 3) { customer { name } } }")).toBe(1 + 3 * (1 + 1));
    } finally {
      await app.close();
    }
  });
});
