import { GraphQLError } from "graphql";
import type { AnyAccessRules } from "../entity/access-rules.ts";
import type { RequestContext } from "../entity/define-action.ts";
import type { FieldMap } from "../entity/infer.ts";
import { createScope, operationScope, rowWhere, type AccessScope } from "../action/access-scope.ts";
import { bothWhere } from "../action/rule-where.ts";
import type { Row, Where } from "../engine/definition/driver.ts";
import { notFound } from "./crud-errors.ts";
import type { GraphQLPrismaClient, ModelDelegate } from "./prisma-client.ts";
import { createData } from "./write-data.ts";

/*
 * The generated queries and mutations under the entity's access rules. Each rule's filter goes into the query's
 * own `where`, so the database decides which rows a caller reaches: a list holds only permitted rows (and its
 * take/skip count only those), and a write to a row outside the rule changes nothing.
 */

/** The delegate calls the rules need beyond the plain CRUD ones. */
interface RuledDelegate extends ModelDelegate {
  findFirst(args: Row): Promise<Row | null>;
  updateMany(args: Row): Promise<{ count: number }>;
  deleteMany(args: Row): Promise<{ count: number }>;
}

/** What the CRUD resolvers need to apply an entity's rules. */
export interface CrudAccess {
  entity: { name: string; typeName: string; fields: FieldMap; accessRules: AnyAccessRules | undefined };
  delegate: RuledDelegate;
  /** Runs `work` in one database transaction with that transaction's delegate: a refused change rolls back. */
  transaction<T>(work: (delegate: RuledDelegate) => Promise<T>): Promise<T>;
}

type PrismaWithTransactions = GraphQLPrismaClient & {
  $transaction<T>(work: (tx: Record<string, unknown>) => Promise<T>): Promise<T>;
};

export function crudAccess(
  prisma: GraphQLPrismaClient,
  delegate: ModelDelegate,
  entity: CrudAccess["entity"],
): CrudAccess {
  return {
    entity,
    delegate: delegate as RuledDelegate,
    transaction: (work) =>
      (prisma as PrismaWithTransactions).$transaction((tx) => work(tx[entity.name] as RuledDelegate)),
  };
}

export function forbidden(typeName: string, operation: string, id?: string): GraphQLError {
  const which = id === undefined ? `a ${typeName}` : `${typeName} "${id}"`;
  return new GraphQLError(`Not allowed to ${operation} ${which}; nothing changed`, {
    extensions: { code: "FORBIDDEN", ...(id === undefined ? {} : { id }) },
  });
}

/** `x(id)`: null for a row outside the read rule, as for one that does not exist. */
export async function readOne(
  access: CrudAccess,
  query: Row,
  id: string,
  request: RequestContext,
): Promise<Row | null> {
  const scope = await operationScope(access.entity, "read", request);
  if (scope.kind === "none") return null;
  if (scope.kind === "all") return access.delegate.findUnique({ ...query, where: { id } });
  return access.delegate.findFirst({ ...query, where: rowWhere(id, scope) });
}

/** `xs(…)`: the list's own conditions and the read rule's, both; no query at all for a caller who may read none. */
export async function readList(access: CrudAccess, query: Row, listArgs: Row, request: RequestContext): Promise<Row[]> {
  const scope = await operationScope(access.entity, "read", request);
  if (scope.kind === "none") return [];
  const where = scope.kind === "rows" ? bothWhere(listArgs.where as Where | undefined, scope.where) : listArgs.where;
  return access.delegate.findMany({ ...query, ...listArgs, where });
}

/**
 * `xUpdate`: the row must be inside the rule before the change (the update's where says so) and after it (read
 * back in the same transaction), so a caller can neither change another's row nor move one out of their reach.
 */
export async function updateAllowed(
  access: CrudAccess,
  query: Row,
  id: string,
  data: Row,
  request: RequestContext,
): Promise<Row> {
  const scope = await operationScope(access.entity, "update", request);
  const { typeName } = access.entity;
  if (scope.kind === "none") throw forbidden(typeName, "update", id);
  if (scope.kind === "all") return access.delegate.update({ ...query, where: { id }, data });
  return access.transaction(async (delegate) => {
    const { count } = await delegate.updateMany({ where: rowWhere(id, scope), data });
    if (count === 0) throw await refusal(delegate, typeName, "update", id);
    const row = await delegate.findFirst({ ...query, where: rowWhere(id, scope) });
    if (!row) throw forbidden(typeName, "update", id);
    return row;
  });
}

/** `xDelete`: only a row inside the rule goes; the answer is the row as it was. */
export async function deleteAllowed(access: CrudAccess, query: Row, id: string, request: RequestContext): Promise<Row> {
  const scope = await operationScope(access.entity, "delete", request);
  const { typeName } = access.entity;
  if (scope.kind === "none") throw forbidden(typeName, "delete", id);
  if (scope.kind === "all") return access.delegate.delete({ ...query, where: { id } });
  return access.transaction(async (delegate) => {
    const row = await delegate.findFirst({ ...query, where: rowWhere(id, scope) });
    if (!row) throw await refusal(delegate, typeName, "delete", id);
    const { count } = await delegate.deleteMany({ where: rowWhere(id, scope) });
    if (count === 0) throw forbidden(typeName, "delete", id);
    return row;
  });
}

/**
 * `xCreate`: refused, or created and read back through the rule's filter in one transaction, rolled back when the
 * new row falls outside it. The filter's equalities fill the fields the client left out; a client value that
 * differs from one is refused.
 */
export async function createAllowed(access: CrudAccess, query: Row, data: Row, request: RequestContext): Promise<Row> {
  const { typeName, fields } = access.entity;
  const scope = await createScope(access.entity, data, request);
  if (scope.kind === "none") throw forbidden(typeName, "create");
  if (scope.kind === "all") return access.delegate.create({ ...query, data });
  const pinned = scope.pinned ?? {};
  if (Object.entries(pinned).some(([field, value]) => field in data && !sameValue(data[field], value)))
    throw forbidden(typeName, "create");
  const full = createData(fields, { ...data, ...pinned });
  return access.transaction(async (delegate) => {
    const created = await delegate.create({ data: full, select: { id: true } });
    const row = await delegate.findFirst({ ...query, where: rowWhere(String(created.id), scope as AccessScope) });
    if (!row) throw forbidden(typeName, "create");
    return row;
  });
}

/** No row matched: tell an unknown id (NOT_FOUND) from one the rule leaves out (FORBIDDEN). */
async function refusal(
  delegate: RuledDelegate,
  typeName: string,
  operation: string,
  id: string,
): Promise<GraphQLError> {
  const exists = await delegate.findUnique({ where: { id }, select: { id: true } });
  return exists ? forbidden(typeName, operation, id) : notFound(typeName, id);
}

function sameValue(given: unknown, pinned: unknown): boolean {
  if (given instanceof Date && pinned instanceof Date) return given.getTime() === pinned.getTime();
  return given === pinned;
}
