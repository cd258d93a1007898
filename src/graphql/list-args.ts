import type { FieldMap } from "../entity/infer.ts";
import type { Row } from "../engine/definition/driver.ts";
import { badUserInput } from "./crud-errors.ts";
import { OPEN_SCOPES, type ReadScopes } from "./read-scopes.ts";
import { relationCondition, type RelationFilter } from "./relation-filters.ts";

export interface PaginationOptions {
  /** Rows a list query returns when it gives no `take`. @default 50 */
  defaultTake?: number;
  /** The largest `take` a list query may ask for; more is refused, not silently cut. @default 200 */
  maxTake?: number;
}

export interface ListArgs {
  where?: Row | null;
  orderBy?: readonly Row[] | null;
  take?: number | null;
  skip?: number | null;
}

/** Nested AND/OR/NOT and relation filters deeper than this are refused: no real filter needs it, and it bounds the query's size. */
const MAX_DEPTH = 8;
const MAX_LIST_VALUES = 1000;
/** Operators Prisma turns into a LIKE pattern, where `%` and `_` would otherwise be wildcards. */
const PATTERN_OPERATORS = new Set(["contains", "startsWith", "endsWith"]);
/** A condition no row satisfies: the id is in an empty list. */
const NOTHING: Row = { id: { in: [] } };

/**
 * Turns the GraphQL arguments of a list query into Prisma's, refusing what it cannot honour. `relations` are the
 * entity's relation filters (`customer`, `trips`), each leading to the related entity's fields; `scopes` are the
 * caller's read scopes, which limit the related rows a relation filter can match.
 */
export function prismaListArgs(
  fields: FieldMap,
  args: ListArgs,
  options: PaginationOptions,
  relations: Record<string, RelationFilter> = {},
  scopes: ReadScopes = OPEN_SCOPES,
): Row {
  const { defaultTake = 50, maxTake = 200 } = options;
  const take = args.take ?? defaultTake;
  if (!Number.isInteger(take) || take < 0 || take > maxTake)
    throw badUserInput(`take must be between 0 and ${maxTake}`, { field: "take" });
  const skip = args.skip ?? 0;
  if (skip < 0) throw badUserInput("skip must not be negative", { field: "skip" });
  return {
    where: prismaWhere(fields, args.where, 0, relations, scopes) ?? {},
    orderBy: prismaOrderBy(args.orderBy),
    take,
    skip,
  };
}

function prismaWhere(
  fields: FieldMap,
  where: Row | null | undefined,
  depth: number,
  relations: Record<string, RelationFilter>,
  scopes: ReadScopes,
): Row | undefined {
  if (where === null || where === undefined) return undefined;
  if (depth > MAX_DEPTH)
    throw badUserInput(`where nests AND/OR/NOT and relation filters deeper than ${MAX_DEPTH} levels`, {
      field: "where",
    });
  const conditions: Row[] = [];
  for (const [key, value] of Object.entries(where)) {
    if (value === null || value === undefined) continue;
    if (key === "AND" || key === "OR") {
      const nested = (value as Row[]).map((item) => prismaWhere(fields, item, depth + 1, relations, scopes) ?? {});
      // An empty OR holds for no row (as in logic); Prisma would drop it and match every row.
      conditions.push(key === "OR" && nested.length === 0 ? NOTHING : { [key]: nested });
    } else if (key === "NOT") {
      const nested = prismaWhere(fields, value as Row, depth + 1, relations, scopes);
      if (nested) conditions.push({ NOT: nested });
    } else if (Object.hasOwn(relations, key)) {
      const condition = relationCondition(
        key,
        value as Row,
        relations[key]!,
        (nested, shape) => prismaWhere(shape.fields, nested, depth + 1, shape.relations, scopes),
        scopes,
      );
      if (condition) conditions.push(condition);
    } else {
      conditions.push(...fieldConditions(key, value as Row, fields[key]?.isOptional ?? false));
    }
  }
  return conditions.length > 0 ? { AND: conditions } : undefined;
}

function fieldConditions(field: string, filter: Row, nullable: boolean): Row[] {
  const operators: Row = {};
  const conditions: Row[] = [];
  for (const [op, operand] of Object.entries(filter)) {
    if (operand === null || operand === undefined) continue;
    if (op === "isNull") {
      const isNull = operand as boolean;
      if (!nullable) {
        if (isNull) conditions.push(NOTHING);
      } else conditions.push({ [field]: isNull ? null : { not: null } });
      continue;
    }
    if (Array.isArray(operand) && operand.length > MAX_LIST_VALUES) {
      throw badUserInput(`where.${field}.${op} lists more than ${MAX_LIST_VALUES} values`, {
        field: `where.${field}.${op}`,
      });
    }
    operators[op] = PATTERN_OPERATORS.has(op) ? escapeLike(operand as string) : operand;
  }
  if (Object.keys(operators).length > 0) conditions.push({ [field]: operators });
  return conditions;
}

/** Each element names one field, so the priority of keys is the list's order, never an object's key order. */
function prismaOrderBy(orderBy: readonly Row[] | null | undefined): Row[] {
  const result: Row[] = [];
  for (const [index, element] of (orderBy ?? []).entries()) {
    const set = Object.entries(element).filter(([, direction]) => direction !== null && direction !== undefined);
    if (set.length !== 1)
      throw badUserInput(`orderBy[${index}] must set exactly one field, got ${set.length}`, {
        field: `orderBy[${index}]`,
      });
    result.push(Object.fromEntries(set));
  }
  if (result.length === 0) result.push({ createdAt: "asc" });
  // A unique last key makes the order total, so take/skip pages never repeat or skip a row.
  if (!result.some((element) => "id" in element)) result.push({ id: "asc" });
  return result;
}

/**
 * The operand matched literally: `%`, `_` and the escape character itself are each preceded by a backslash,
 * the escape character of LIKE on PostgreSQL and, through the SQLite connection's ESCAPE clause, on SQLite.
 */
export function escapeLike(operand: string): string {
  return operand.replace(/[\\%_]/g, "\\$&");
}
