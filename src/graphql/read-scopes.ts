import type { AnyAccessRules } from "../entity/access-rules.ts";
import type { RequestContext } from "../entity/define-action.ts";
import type { FieldMap } from "../entity/infer.ts";
import { ALL_ROWS, operationScope, type AccessScope } from "../action/access-scope.ts";

/** Which rows of each entity one caller may read, by entity name; an entity without a read rule is open. */
export type ReadScopes = (entityName: string) => AccessScope;

interface Readable {
  name: string;
  fields: FieldMap;
  accessRules: AnyAccessRules | undefined;
}

/**
 * The read scopes of every entity for one request, asked of the rules once per request. Relation fields and
 * relation filters need them while Prisma's query is planned, which is synchronous per level; so they are all
 * settled up front (rules are cheap: they look at the request, not the database) and shared by every field of
 * the request.
 */
export function readScopesOf(entities: readonly Readable[]): (request: RequestContext) => Promise<ReadScopes> {
  const ruled = entities.filter((entity) => entity.accessRules?.read !== undefined);
  const cache = new WeakMap<object, Promise<ReadScopes>>();
  const settle = async (request: RequestContext): Promise<ReadScopes> => {
    const scopes = new Map<string, AccessScope>();
    for (const entity of ruled) scopes.set(entity.name, await operationScope(entity, "read", request));
    return (name) => scopes.get(name) ?? ALL_ROWS;
  };
  return (request) => {
    if (ruled.length === 0) return Promise.resolve(OPEN_SCOPES);
    if (typeof request !== "object" || request === null) return settle(request);
    let scopes = cache.get(request);
    if (!scopes) {
      scopes = settle(request);
      cache.set(request, scopes);
    }
    return scopes;
  };
}

/** For callers that apply no rules (every row readable). */
export const OPEN_SCOPES: ReadScopes = () => ALL_ROWS;
