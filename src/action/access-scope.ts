import type { AnyAccessRules } from "../entity/access-rules.ts";
import type { RequestContext } from "../entity/define-action.ts";
import type { FieldMap } from "../entity/infer.ts";
import type { Row, Where } from "../engine/definition/driver.ts";
import { bothWhere, NO_ROW, pinnedValues, ruleWhere } from "./rule-where.ts";

/** Which rows an operation may touch for one caller: every one, none, or those matching `where`. */
export type AccessScope =
  { readonly kind: "all" } | { readonly kind: "none" } | { readonly kind: "rows"; readonly where: Where };

export const ALL_ROWS: AccessScope = Object.freeze({ kind: "all" });
export const NO_ROWS: AccessScope = Object.freeze({ kind: "none" });

interface Ruled {
  name: string;
  fields: FieldMap;
  accessRules: AnyAccessRules | undefined;
}

type RowOperation = "read" | "update" | "delete";

/** The scope of `read`, `update` or `delete` for this caller; an operation without a rule is open. */
export function operationScope(entity: Ruled, operation: RowOperation, request: RequestContext): Promise<AccessScope> {
  const rule = entity.accessRules?.[operation];
  return rule ? scopeOf(entity, `${operation} rule`, () => rule({ request })) : Promise.resolve(ALL_ROWS);
}

/** The scope of an action for this caller: which rows it may run on. */
export function actionScope(entity: Ruled, actionName: string, request: RequestContext): Promise<AccessScope> {
  const rule = entity.accessRules?.actions?.[actionName];
  return rule ? scopeOf(entity, `rule of action "${actionName}"`, () => rule({ request })) : Promise.resolve(ALL_ROWS);
}

/** What a create rule answers: refused, allowed, or allowed for a row matching `where`, with the values it pins. */
export type CreateScope = AccessScope & { readonly pinned?: Row };

export async function createScope(entity: Ruled, data: Row, request: RequestContext): Promise<CreateScope> {
  const rule = entity.accessRules?.create;
  if (!rule) return ALL_ROWS;
  let answer: unknown;
  const scope = await scopeOf(entity, "create rule", async () => (answer = await rule({ request, data })));
  return scope.kind === "rows" ? { ...scope, pinned: pinnedValues(answer) } : scope;
}

/** Both scopes at once: what a caller may read AND run an action on. */
export function bothScopes(first: AccessScope, second: AccessScope): AccessScope {
  if (first.kind === "none" || second.kind === "none") return NO_ROWS;
  if (first.kind === "all") return second;
  if (second.kind === "all") return first;
  return { kind: "rows", where: bothWhere(first.where, second.where) };
}

/** The database's where for one row under a scope that is not `none`. */
export function rowWhere(id: string, scope: AccessScope): Where {
  return scope.kind === "rows" ? bothWhere({ id }, scope.where) : { id };
}

/**
 * A rule that throws, or answers something that is no verdict, fails the request rather than opening rows; the
 * error names the entity and the rule, for the server's log.
 */
async function scopeOf(entity: Ruled, which: string, ask: () => unknown): Promise<AccessScope> {
  let verdict: unknown;
  try {
    verdict = await ask();
    if (verdict === true) return ALL_ROWS;
    if (verdict === false) return NO_ROWS;
    const where = ruleWhere(entity.fields, verdict);
    return where === NO_ROW ? NO_ROWS : { kind: "rows", where };
  } catch (error) {
    throw new Error(
      `Entity "${entity.name}": its ${which} failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}
