import { describe, expect, it } from "vitest";
import { belongsTo, checkRelations, entity, hasMany, string, WorkflowDefinitionError } from "../../src/index.ts";
import { generatePrismaSchema } from "../../src/tooling/generate-prisma-schema.ts";
import { diffSchemas } from "../../src/tooling/sync-prisma-app.ts";
import { ROOT } from "../../scripts/prisma-apps.ts";

const customer = entity("customer", { name: string, trips: hasMany("trip") });
const trip = entity("trip", { destination: string, customer: belongsTo("customer") });

describe("belongsTo and hasMany", () => {
  it("store a belongsTo as its foreign key column and keep the relations beside the fields", () => {
    expect(Object.keys(trip.fields)).toEqual(["destination", "customerId"]);
    expect(trip.fields.customerId).toMatchObject({ kind: "string", isOptional: false, references: "customer" });
    expect(trip.relations.customer).toMatchObject({ relation: "belongsTo", target: "customer", onDelete: "restrict" });
    expect(Object.keys(customer.fields)).toEqual(["name"]);
    expect(customer.relations.trips).toMatchObject({ relation: "hasMany", target: "trip" });
  });

  it("make the foreign key nullable when the belongsTo is optional", () => {
    const optional = entity("trip", { customer: belongsTo("customer").optional() });
    expect(optional.fields.customerId.isOptional).toBe(true);
  });

  it("pair each hasMany with the belongsTo facing it", () => {
    const [relation] = checkRelations([customer, trip]);
    expect(relation).toMatchObject({
      name: "TripCustomer",
      field: "customer",
      foreignKey: "customerId",
      listField: "trips",
    });
    expect(relation!.child).toBe(trip);
    expect(relation!.parent).toBe(customer);
  });

  it("follow the belongsTo an inverse names when two point at the same entity", () => {
    const city = entity("city", {
      name: string,
      departures: hasMany("flight", { inverse: "from" }),
      arrivals: hasMany("flight", { inverse: "to" }),
    });
    const flight = entity("flight", { from: belongsTo("city"), to: belongsTo("city") });
    const relations = checkRelations([city, flight]);
    expect(relations.map((r) => [r.field, r.listField])).toEqual([
      ["from", "departures"],
      ["to", "arrivals"],
    ]);
  });
});

describe("relation definition errors", () => {
  it("refuse a belongsTo to an entity that does not exist, naming both", () => {
    const lost = entity("trip", { customer: belongsTo("customr") });
    expect(() => checkRelations([entity("customer", { name: string }), lost])).toThrow(
      /Entity "trip": field "customer" is belongsTo\("customr"\), but no entity is named "customr" \(entities: customer, trip\)/,
    );
  });

  it("refuse a hasMany to an entity that does not exist", () => {
    expect(() => checkRelations([entity("customer", { trips: hasMany("journey") })])).toThrow(
      /field "trips" is hasMany\("journey"\), but no entity is named "journey"/,
    );
  });

  it("refuse a hasMany whose entity has no belongsTo facing it", () => {
    const bare = entity("trip", { destination: string });
    expect(() => checkRelations([customer, bare])).toThrow(WorkflowDefinitionError);
    expect(() => checkRelations([customer, bare])).toThrow(
      /"customer": field "trips" is hasMany\("trip"\), but entity "trip" has no belongsTo\("customer"\)/,
    );
  });

  it("refuse a hasMany that could follow either of two belongsTo, naming them", () => {
    const city = entity("city", { flights: hasMany("flight") });
    const flight = entity("flight", { from: belongsTo("city"), to: belongsTo("city") });
    expect(() => checkRelations([city, flight])).toThrow(
      /has 2 belongsTo\("city"\) fields \(from, to\): say which one with hasMany\("flight", \{ inverse: "from" \}\)/,
    );
  });

  it("refuse an inverse that is not a belongsTo to the entity", () => {
    const city = entity("city", { flights: hasMany("flight", { inverse: "via" }) });
    const flight = entity("flight", { from: belongsTo("city") });
    expect(() => checkRelations([city, flight])).toThrow(
      /inverse "via", but flight.via is no belongsTo\("city"\): its belongsTo\("city"\) fields are from/,
    );
  });

  it("refuse two lists following one belongsTo", () => {
    const twice = entity("customer", { trips: hasMany("trip"), journeys: hasMany("trip") });
    expect(() => checkRelations([twice, trip])).toThrow(/fields "trips" and "journeys" both list trip.customer/);
  });

  it("refuse a foreign key that clashes with a declared field", () => {
    expect(() => entity("trip", { customer: belongsTo("customer"), customerId: string })).toThrow(
      /stores its id in "customerId", which is also declared/,
    );
  });

  it("refuse setNull on a required belongsTo, and an unknown onDelete", () => {
    expect(() => entity("trip", { customer: belongsTo("customer", { onDelete: "setNull" }) })).toThrow(
      /onDelete "setNull" but is required/,
    );
    expect(() => belongsTo("customer", { onDelete: "nothing" as never })).toThrow(
      /onDelete must be one of restrict, cascade, setNull/,
    );
  });

  it("fail the Prisma schema generation the same way", () => {
    expect(() => generatePrismaSchema([customer], { provider: "sqlite", clientOutput: "x" })).toThrow(
      /no entity is named "trip"/,
    );
  });
});

describe("the generated Prisma schema", () => {
  it("has the relation over the foreign key, its index and the list on the other side", () => {
    const schema = generatePrismaSchema([customer, trip], { provider: "postgresql", clientOutput: "x" });
    expect(schema).toMatch(/customerId +String\n/);
    expect(schema).toMatch(
      /customer +Customer +@relation\("TripCustomer", fields: \[customerId\], references: \[id\], onDelete: Restrict\)/,
    );
    expect(schema).toContain("@@index([customerId])");
    expect(schema).toMatch(/trips +Trip\[\] +@relation\("TripCustomer"\)/);
  });

  it("gives a belongsTo without a hasMany a list the API never shows, and maps each onDelete", () => {
    const lonely = entity("customer", { name: string });
    const note = entity("note", {
      customer: belongsTo("customer", { onDelete: "cascade" }),
      editor: belongsTo("customer", { onDelete: "setNull" }).optional(),
    });
    const schema = generatePrismaSchema([lonely, note], { provider: "sqlite", clientOutput: "x" });
    expect(schema).toMatch(/note_customer +Note\[\] +@relation\("NoteCustomer"\)/);
    expect(schema).toMatch(
      /editor +Customer\? +@relation\("NoteEditor", fields: \[editorId\], references: \[id\], onDelete: SetNull\)/,
    );
    expect(schema).toContain("onDelete: Cascade");
  });
});

describe("relations Prisma accepts", () => {
  it.each(["sqlite", "postgresql"] as const)(
    "a self-relation and two belongsTo to one entity, only one of them listed, on %s",
    { timeout: 60_000 },
    async (provider) => {
      const person = entity("person", {
        name: string,
        manager: belongsTo("person").optional(),
        reports: hasMany("person"),
      });
      const city = entity("city", { name: string, departures: hasMany("flight", { inverse: "from" }) });
      const flight = entity("flight", { from: belongsTo("city"), to: belongsTo("city", { onDelete: "cascade" }) });
      const sql = await diffSchemas(
        undefined,
        generatePrismaSchema([person, city, flight], { provider, clientOutput: "x" }),
        provider,
        ROOT,
      );
      expect(sql).toMatch(
        /"Person_managerId_fkey" FOREIGN KEY \("managerId"\) REFERENCES "Person" ?\("id"\) ON DELETE RESTRICT/,
      );
      expect(sql).toMatch(/"Flight_toId_fkey" FOREIGN KEY \("toId"\) REFERENCES "City" ?\("id"\) ON DELETE CASCADE/);
      expect(sql).toMatch(/CREATE INDEX "Flight_fromId_idx"/);
    },
  );
});
