import type { FieldMap } from "../entity/infer.ts";
import type { Row, Where } from "../engine/definition/driver.ts";

/** A condition no row satisfies: the id is in an empty list. */
export const NO_ROW: Where = Object.freeze({ id: Object.freeze({ in: [] }) });

const OPERATORS = new Set([
  "equals",
  "not",
  "in",
  "notIn",
  "lt",
  "lte",
  "gt",
  "gte",
  "contains",
  "startsWith",
  "endsWith",
  "isNull",
]);
/** Operators Prisma turns into a LIKE pattern, where `%` and `_` would otherwise be wildcards. */
const PATTERN_OPERATORS = new Set(["contains", "startsWith", "endsWith"]);
const ALWAYS_SET = new Set(["id", "createdAt", "updatedAt"]);
/** Deeper nesting is a rule's mistake (or a cycle), not a real filter. */
const MAX_DEPTH = 16;

/**
 * The operand matched literally: `%`, `_` and the escape character itself are each preceded by a backslash,
 * the escape character of LIKE on PostgreSQL and, through the SQLite connection's ESCAPE clause, on SQLite.
 */
export function escapeLike(operand: string): string {
  return operand.replace(/[\\%_]/g, "\\$&");
}

/**
 * An access rule's row filter as the Prisma `where` the database evaluates. Unlike Prisma, `undefined` never
 * means "no condition": a field or operand set to undefined matches no row, so a rule written against
 * `request.user?.sub` opens nothing to a caller without one. Anything that is not a filter is thrown: a rule's bug
 * must not open rows.
 */
export function ruleWhere(fields: FieldMap, filter: unknown, depth = 0): Where {
  if (depth > MAX_DEPTH) throw new TypeError(`An access rule's filter nests deeper than ${MAX_DEPTH} levels`);
  if (!isPlainObject(filter))
    throw new TypeError(`An access rule must answer true, false or a filter object, not ${describe(filter)}`);
  const conditions: Where[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (key === "AND" || key === "OR") {
      if (!Array.isArray(value)) {
        conditions.push(NO_ROW);
        continue;
      }
      const nested = value.map((item) => ruleWhere(fields, item, depth + 1));
      // An empty OR holds for no row (as in logic); Prisma would drop it and match every row.
      conditions.push(key === "OR" && nested.length === 0 ? NO_ROW : { [key]: nested });
    } else if (key === "NOT") {
      // Negated, an undefined (a missing claim) would match every row: a NOT that holds one matches none instead.
      conditions.push(holdsUndefined(value, depth) ? NO_ROW : { NOT: ruleWhere(fields, value, depth + 1) });
    } else {
      if (!ALWAYS_SET.has(key) && !Object.hasOwn(fields, key))
        throw new TypeError(`An access rule filters on "${key}", which is not a field`);
      conditions.push(fieldWhere(key, value, fields[key]?.isOptional ?? false));
    }
  }
  return conditions.length === 1 ? conditions[0]! : { AND: conditions };
}

function fieldWhere(field: string, value: unknown, nullable: boolean): Where {
  if (value === undefined) return NO_ROW;
  if (value === null) return nullable ? { [field]: null } : NO_ROW;
  if (!isPlainObject(value)) return { [field]: { equals: value } };
  const operators: Row = {};
  const conditions: Where[] = [];
  for (const [op, operand] of Object.entries(value)) {
    if (!OPERATORS.has(op)) throw new TypeError(`An access rule uses "${op}" on "${field}", which is not an operator`);
    if (operand === undefined || (Array.isArray(operand) && operand.includes(undefined))) return NO_ROW;
    if (op === "isNull" || ((op === "equals" || op === "not") && operand === null)) {
      const isNull = op === "isNull" ? Boolean(operand) : op === "equals";
      if (!nullable) {
        if (isNull) return NO_ROW;
      } else conditions.push({ [field]: isNull ? null : { not: null } });
      continue;
    }
    operators[op] = PATTERN_OPERATORS.has(op) ? escapeLike(String(operand)) : operand;
  }
  if (Object.keys(operators).length > 0) conditions.push({ [field]: operators });
  return conditions.length === 1 ? conditions[0]! : { AND: conditions };
}

/**
 * The values a create rule's filter pins down: its top-level equalities (`{ customerId: sub }` or
 * `{ customerId: { equals: sub } }`), which fill the fields a client left out. An undefined one pins nothing: the
 * filter then matches no row and the create is refused.
 */
export function pinnedValues(filter: unknown): Row {
  const pinned: Row = {};
  if (!isPlainObject(filter)) return pinned;
  for (const [key, value] of Object.entries(filter)) {
    if (key === "AND" || key === "OR" || key === "NOT" || value === undefined || value === null) continue;
    if (!isPlainObject(value)) pinned[key] = value;
    else if (Object.keys(value).length === 1 && value.equals !== undefined && value.equals !== null)
      pinned[key] = value.equals;
  }
  return pinned;
}

/** Both conditions; either may be absent. */
export function bothWhere(first: Where | undefined, second: Where | undefined): Where {
  if (!first || Object.keys(first).length === 0) return second ?? {};
  if (!second || Object.keys(second).length === 0) return first;
  return { AND: [first, second] };
}

/** Whether `value` is undefined or holds one, in a nested filter or an operand's list. */
function holdsUndefined(value: unknown, depth: number): boolean {
  if (value === undefined) return true;
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(value)) return value.some((item) => holdsUndefined(item, depth + 1));
  return isPlainObject(value) && Object.values(value).some((item) => holdsUndefined(item, depth + 1));
}

/** A filter object, as opposed to a value (a Date included) or a list. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function describe(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "a list" : typeof value;
}
