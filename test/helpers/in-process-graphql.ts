import type { GraphQLSchema } from "graphql";
import { createYoga } from "graphql-yoga";
import type { GraphQLContext } from "../../src/graphql/context.ts";

// `any` on purpose: tests read the fields they asked for, and the schema under test is what they check.
export type GraphQLResult = { data?: Record<string, any> | null; errors?: Array<{ message: string; extensions?: Record<string, any> }> };

/** A yoga instance over `schema`, without a socket: the whole HTTP handling, parsing and execution, in process. */
export function inProcessGraphQL(schema: GraphQLSchema): (query: string, variables?: Record<string, unknown>) => Promise<GraphQLResult> {
  const yoga = createYoga<{}, GraphQLContext>({ schema, logging: false });
  return async (query, variables = {}) => {
    const response = await yoga.fetch("http://yoga/graphql", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });
    return (await response.json()) as GraphQLResult;
  };
}
