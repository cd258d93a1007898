import type { ResolvedRelation } from "../entity/check-relations.ts";
import type { RequestContext } from "../entity/define-action.ts";
import type { Row } from "../engine/definition/driver.ts";
import type { Builder } from "./builder.ts";
import type { GraphQLContext } from "./context.ts";
import type { EntityInputs } from "./entity-inputs.ts";
import type { EntityTypeRef } from "./entity-type.ts";
import { prismaListArgs, type ListArgs, type PaginationOptions } from "./list-args.ts";
import type { ReadableCheck } from "./readable-rows.ts";
import type { ReadScopes } from "./read-scopes.ts";
import { readableWhere, type WhereShape } from "./relation-filters.ts";

/** What the relation fields need of each entity's GraphQL side. */
export interface RelatedTypes {
  type: EntityTypeRef;
  inputs: EntityInputs;
  shape: WhereShape;
  /** False under `crud({ read: false })`: no relation field leads to its rows. */
  readable: boolean;
  /** True when the entity has a read rule, so a row reached through a relation may be hidden. */
  ruled: boolean;
  /** Checks a loaded row against the caller's read scope, batched per request. */
  readableRow: (context: object) => ReadableCheck;
}

/** The caller's read scopes, settled once per request. */
export type ScopesOf = (request: RequestContext) => Promise<ReadScopes>;

type FieldRef = ReturnType<Parameters<Builder["prismaObjectField"]>[2]>;
/** `t.relation` typed for models known only at run time (the builder's models have no relation names). */
type Relation = (name: string, options: Record<string, unknown>) => FieldRef;
type NestedSelection = (selection?: unknown) => unknown;
/** `t.field` with a Prisma selection, typed loosely for the same reason. */
type SelectField = (options: Record<string, unknown>) => FieldRef;

/**
 * `Trip.customer: Customer` (nullable when the belongsTo is optional, or when customers have a read rule) and
 * `Customer.trips(where, orderBy, take, skip): [Trip!]!`, through the Prisma plugin's relations: a selection of
 * them under any Prisma-backed field is planned into that field's query as an include, so a page of customers and
 * all their trips take one statement per level, whatever the number of rows. The related entity's read rule goes
 * into the list's own `where` (its take/skip count only readable rows); a belongsTo whose row the caller may not
 * read is null. A relation to an entity under `crud({ read: false })` is not exposed.
 */
export function addRelationFields(
  builder: Builder,
  relations: readonly ResolvedRelation[],
  types: ReadonlyMap<string, RelatedTypes>,
  pagination: PaginationOptions,
  scopesOf: ScopesOf,
): void {
  for (const relation of relations) {
    const child = types.get(relation.child.name)!;
    const parent = types.get(relation.parent.name)!;
    if (parent.readable)
      builder.prismaObjectField(child.type, relation.field, (t) =>
        parent.ruled ? ruledBelongsTo(t, relation, parent, scopesOf) : openBelongsTo(t, relation),
      );
    const listField = relation.listField;
    if (listField === undefined || !child.readable) continue;
    builder.prismaObjectField(parent.type, listField, (t) =>
      relationOf(t)(listField, {
        description: `This ${relation.parent.typeName}'s ${relation.child.typeName} rows matching \`where\`, in \`orderBy\` order (default: oldest first), a page at a time.`,
        args: {
          where: t.arg({ type: child.inputs.where }),
          orderBy: t.arg({ type: [child.inputs.orderBy], required: { list: false, items: true } }),
          take: t.arg.int({
            description: `At most this many rows (default ${pagination.defaultTake ?? 50}, at most ${pagination.maxTake ?? 200}).`,
          }),
          skip: t.arg.int({ description: "Leave out this many rows first." }),
        },
        query: async (args: ListArgs, context: GraphQLContext): Promise<Row> => {
          const scopes = await scopesOf(context.request);
          const listArgs = prismaListArgs(relation.child.fields, args, pagination, child.shape.relations, scopes);
          return { ...listArgs, where: readableWhere(listArgs.where as Row, scopes(relation.child.name)) };
        },
      }),
    );
  }
}

function openBelongsTo(t: { relation: unknown }, relation: ResolvedRelation): FieldRef {
  return relationOf(t)(relation.field, {
    nullable: relation.isOptional,
    description: `The ${relation.parent.typeName} this ${relation.child.typeName} belongs to (its ${relation.foreignKey}).`,
  });
}

/**
 * A belongsTo to an entity with a read rule: loaded with the child's statement as before, then null unless the
 * caller may read it. Always nullable, even when the foreign key is required: the row exists, but for this
 * caller it is not there, and a null says so without failing the rest of the answer.
 */
function ruledBelongsTo(
  t: { field: unknown },
  relation: ResolvedRelation,
  parent: RelatedTypes,
  scopesOf: ScopesOf,
): FieldRef {
  return (t.field as SelectField).call(t, {
    type: parent.type,
    nullable: true,
    description: `The ${relation.parent.typeName} this ${relation.child.typeName} belongs to (its ${relation.foreignKey}); null when there is none or the caller may not read it.`,
    // Awaited: the selection under it may hold a nested list, whose query waits for the caller's read scopes.
    select: async (_args: unknown, _context: unknown, nestedSelection: NestedSelection) => ({
      [relation.foreignKey]: true,
      [relation.field]: await nestedSelection(),
    }),
    resolve: async (row: Row, _args: unknown, context: GraphQLContext) => {
      const target = row[relation.field] as Row | null | undefined;
      if (!target) return null;
      const scope = (await scopesOf(context.request))(relation.parent.name);
      return (await parent.readableRow(context)(String(row[relation.foreignKey]), scope)) ? target : null;
    },
  });
}

function relationOf(t: { relation: unknown }): Relation {
  return (t.relation as Relation).bind(t);
}
