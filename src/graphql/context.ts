import type { RequestContext } from "../entity/define-action.ts";

/**
 * What every resolver receives. The server builds it per request; `request` is what authorization rules
 * see (augment `RequestContext` to type it).
 */
export interface GraphQLContext {
  request: RequestContext;
}
