import { buildSchema, parse, validate } from "graphql";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GRAPHIQL_DEFAULT_QUERY } from "../../examples/checkout/graphiql-default-query.ts";
import { PROJECT_ROOT } from "../helpers/npm-start.ts";

describe("the GraphiQL tour of the checkout example", () => {
  it("is valid against the current schema, so every operation in it runs as shown", () => {
    const schema = buildSchema(readFileSync(join(PROJECT_ROOT, "schema/schema.graphql"), "utf8"));
    expect(validate(schema, parse(GRAPHIQL_DEFAULT_QUERY)).map((error) => error.message)).toEqual([]);
  });
});
