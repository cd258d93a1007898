import type { GraphQLSchema } from "graphql";
import { createYoga } from "graphql-yoga";
import type { GraphQLContext } from "../../src/graphql/context.ts";
import type { RequestContext } from "../../src/entity/define-action.ts";

// `any` on purpose: tests read the fields they asked for, and the schema under test is what they check.
export type GraphQLResult = {
  data?: Record<string, any> | null;
  errors?: Array<{ message: string; extensions?: Record<string, any> }>;
};

const CALLER_HEADER = "x-test-request-context";

/**
 * A yoga instance over `schema`, without a socket: the whole HTTP handling, parsing and execution, in process.
 * A `request` given to a call is the request context its resolvers and access rules see, as a server's
 * `requestContext` would build it from a verified token.
 */
export function inProcessGraphQL(
  schema: GraphQLSchema,
): (query: string, variables?: Record<string, unknown>, request?: RequestContext) => Promise<GraphQLResult> {
  const yoga = createYoga<{}, GraphQLContext>({
    schema,
    logging: false,
    // Without one, `request` stays yoga's own (the fetch Request), as before.
    context: ({ request }): GraphQLContext => {
      const given = request.headers.get(CALLER_HEADER);
      return { request: given === null ? request : (JSON.parse(given) as RequestContext) };
    },
  });
  return async (query, variables = {}, request) => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (request !== undefined) headers[CALLER_HEADER] = JSON.stringify(request);
    const response = await yoga.fetch("http://yoga/graphql", {
      method: "POST",
      headers,
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLResult;
  };
}
