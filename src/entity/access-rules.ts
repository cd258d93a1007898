import { WorkflowDefinitionError } from "../engine/errors.ts";
import type { RequestContext } from "./define-action.ts";
import type { Field, FieldValue } from "./field.ts";
import type { FieldMap } from "./infer.ts";

/*
 * Access rules say, per generated operation and per action, who may do it and on which rows. A rule sees the
 * request and answers `true` (allowed, every row), `false` (refused) or a row filter: only the rows matching it.
 * The filter is pushed into the database query, so a list returns only permitted rows and its paging stays right.
 */

/** The comparisons every filterable value takes. */
interface Comparable<V> {
  equals?: V;
  not?: V;
  in?: readonly V[];
  notIn?: readonly V[];
  /** true: the field is null; false: it is not. */
  isNull?: boolean;
}

interface Ordered<V> extends Comparable<V> {
  lt?: V;
  lte?: V;
  gt?: V;
  gte?: V;
}

interface Textual extends Ordered<string> {
  /** Matched literally: `%` and `_` are plain characters. */
  contains?: string;
  startsWith?: string;
  endsWith?: string;
}

/** The condition a field of value type `V` takes; tuples keep `boolean` from splitting into `true | false`. */
export type FieldCondition<V> = [NonNullable<V>] extends [string]
  ? Textual
  : [NonNullable<V>] extends [number] | [Date]
    ? Ordered<NonNullable<V>>
    : Comparable<NonNullable<V>>;

/** Every field a rule may filter on, with its value type: json fields compare too differently between databases. */
export type FilterableRow<F extends FieldMap> = { id: string; createdAt: Date; updatedAt: Date } & {
  [K in keyof F as F[K] extends Field<"json", boolean, boolean> ? never : K]: FieldValue<F[K]>;
};

/**
 * A row filter in the shape of the API's `where`, typed against the entity's fields: a bare value means equality
 * (`{ customerId: sub }`), an object is a condition (`{ total: { lte: 100 } }`), and `AND`, `OR`, `NOT` combine.
 *
 * A field or an operand whose value is `undefined` matches no row: `{ customerId: request.user?.sub }` lets an
 * anonymous caller see nothing, where Prisma would have dropped the condition and matched every row. A `NOT`
 * holding an `undefined` anywhere matches no row too, rather than every row.
 */
export type RowFilter<Row> = { [K in keyof Row]?: Row[K] | FieldCondition<Row[K]> | undefined } & {
  AND?: ReadonlyArray<RowFilter<Row>>;
  OR?: ReadonlyArray<RowFilter<Row>>;
  NOT?: RowFilter<Row>;
};

/** What a rule answers: every row, none, or the rows matching the filter. */
export type AccessVerdict<Row> = boolean | RowFilter<Row>;

type MaybePromise<T> = T | Promise<T>;

export interface AccessArgs {
  /** What the server put in the request context (`createServer({ requestContext })`). */
  request: RequestContext;
}

/** A rule on existing rows (read, update, delete, an action's resource). */
export type RowRule<Row> = (args: AccessArgs) => MaybePromise<AccessVerdict<Row>>;

export interface CreateAccessArgs<Row> extends AccessArgs {
  /** The data the client sent, after the server's computed values. */
  data: Partial<Row>;
}

/**
 * A rule on creating a row. A filter is what the new row must match; its top-level equalities also fill the
 * fields the client left out, e.g. `{ customerId: request.user.sub }` makes every new row the caller's own.
 */
export type CreateRule<Row> = (args: CreateAccessArgs<Row>) => MaybePromise<AccessVerdict<Row>>;

/**
 * Per operation, who may do it; a missing operation stays open. `actions` names the entity's actions: a filter
 * there is what the action's row must match (a customer may check out only their own order).
 */
export interface AccessRules<Row, ActionName extends string = string> {
  /** `x(id)` (null for a row outside the rule) and `xs(…)` (only the rows inside it). @default open */
  read?: RowRule<Row>;
  /** `xCreate`: refused with FORBIDDEN, or the new row must match the filter. @default open */
  create?: CreateRule<Row>;
  /** `xUpdate`: a row outside the rule, before or after the change, is FORBIDDEN and stays as it was. @default open */
  update?: RowRule<Row>;
  /** `xDelete`: a row outside the rule is FORBIDDEN and stays. @default open */
  delete?: RowRule<Row>;
  /** Per action: refused (or a row outside the filter) is the ForbiddenError member, and nothing runs. @default open */
  actions?: { [K in ActionName]?: RowRule<Row> };
}

/** The rules as the runtime holds them: rows untyped. */
export type AnyAccessRules = AccessRules<Record<string, unknown>>;

const OPERATIONS = ["read", "create", "update", "delete", "actions"] as const;

/** Rules that name an unknown operation or action fail where they are written, not at the first request. */
export function checkedAccessRules(
  entityName: string,
  actionNames: readonly string[],
  rules: AnyAccessRules,
): AnyAccessRules {
  if (typeof rules !== "object" || rules === null)
    throw new WorkflowDefinitionError(`Entity "${entityName}": access() takes an object of rules`);
  for (const [key, rule] of Object.entries(rules)) {
    if (!(OPERATIONS as readonly string[]).includes(key)) {
      throw new WorkflowDefinitionError(
        `Entity "${entityName}": access() knows read, create, update, delete and actions, not "${key}"`,
      );
    }
    if (key !== "actions" && typeof rule !== "function")
      throw new WorkflowDefinitionError(`Entity "${entityName}": access rule "${key}" must be a function`);
  }
  for (const [name, rule] of Object.entries(rules.actions ?? {})) {
    if (!actionNames.includes(name)) {
      throw new WorkflowDefinitionError(
        `Entity "${entityName}": access() has a rule for action "${name}", which it does not have (define actions before access)`,
      );
    }
    if (typeof rule !== "function")
      throw new WorkflowDefinitionError(
        `Entity "${entityName}": the access rule of action "${name}" must be a function`,
      );
  }
  return rules;
}

/** Merges a later `.access()` into the rules so far: an operation named again is replaced, the others stay. */
export function mergedAccessRules(before: AnyAccessRules | undefined, after: AnyAccessRules): AnyAccessRules {
  return Object.freeze({ ...before, ...after, actions: Object.freeze({ ...before?.actions, ...after.actions }) });
}
