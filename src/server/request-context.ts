import type { YogaInitialContext } from "graphql-yoga";
import type { RequestContext } from "../entity/define-action.ts";
import type { GraphQLContext } from "../graphql/context.ts";

export type RequestContextFactory = (request: Request) => RequestContext | Promise<RequestContext>;

/**
 * The GraphQL context's `request` stays the very `Request` object yoga created: yoga keys per-request state on its
 * identity (e.g. recognising subscriptions). So the factory's fields are added onto that object rather than
 * replacing it. The result is what authorization rules see: `request.headers.get(…)` plus e.g. `request.user`.
 */
export function requestContextFactory(
  factory: RequestContextFactory | undefined,
): ((initial: YogaInitialContext) => Promise<GraphQLContext>) | undefined {
  if (!factory) return undefined;
  return async ({ request }) => {
    const extra = await factory(request);
    for (const key of Object.keys(extra)) {
      if (key in request)
        throw new Error(`requestContext() returned "${key}", which would hide the request's own "${key}"`);
    }
    return { request: Object.assign(request, extra) };
  };
}
