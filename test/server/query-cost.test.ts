import { describe, expect, it } from "vitest";
import { buildSchema, getOperationAST, parse } from "graphql";
import { queryCost } from "../../src/server/query-cost.ts";

const schema = buildSchema(/* GraphQL */ `
  type Query {
    runs(take: Int): [Run!]!
    run(id: ID!): Run
    tags: [String!]!
  }
  type Run {
    id: ID!
    status: String!
    steps: [Step!]!
  }
  type Step {
    name: String!
    attempts: Int!
  }
`);

function cost(query: string, variables?: Record<string, unknown>): number {
  const document = parse(query);
  return queryCost(schema, document, getOperationAST(document)!, { defaultListSize: 50, variables });
}

describe("query cost", () => {
  it("counts each field once and what a list selects once per item", () => {
    expect(cost("{ run(id: 1) { id status } }")).toBe(3);
    expect(cost("{ runs(take: 200) { id steps { name attempts } } }")).toBe(1 + 200 * (1 + 1 + 50 * 2));
    expect(cost("{ tags }")).toBe(51);
  });

  it("takes a list's size from a literal, a variable, a variable's default, or the default size", () => {
    expect(cost("{ runs(take: 3) { id } }")).toBe(4);
    expect(cost("query($n: Int) { runs(take: $n) { id } }", { n: 7 })).toBe(8);
    expect(cost("query($n: Int = 9) { runs(take: $n) { id } }")).toBe(10);
    expect(cost("{ runs { id } }")).toBe(51);
    expect(cost("{ runs(take: -5) { id } }")).toBe(1);
  });

  it("counts fragments where they are spread, and not introspection", () => {
    expect(cost("{ runs(take: 2) { ...R ... on Run { status } } } fragment R on Run { id }")).toBe(1 + 2 * 2);
    expect(cost("{ __schema { types { name fields { name } } } }")).toBe(0);
  });

  it("measures a document of nested fragment spreads in linear time", () => {
    // Each level spreads the one below twice: expanded, 2^40 fields; measured once per fragment, 40 steps.
    const levels = Array.from(
      { length: 40 },
      (_, level) => `fragment F${level} on Run { ...F${level + 1} ...F${level + 1} }`,
    );
    const query = `{ run(id: 1) { ...F0 } } ${levels.join(" ")} fragment F40 on Run { id }`;
    const started = performance.now();
    expect(cost(query)).toBe(1 + 2 ** 40);
    expect(performance.now() - started).toBeLessThan(50);
  });
});
