import type { ResolvedRelation } from "../entity/check-relations.ts";
import type { Row } from "../saga/driver.ts";
import type { Builder } from "./builder.ts";
import type { EntityInputs } from "./entity-inputs.ts";
import type { EntityTypeRef } from "./entity-type.ts";
import { prismaListArgs, type ListArgs, type PaginationOptions } from "./list-args.ts";
import type { WhereShape } from "./relation-filters.ts";

/** What the relation fields need of each entity's GraphQL side. */
export interface RelatedTypes {
  type: EntityTypeRef;
  inputs: EntityInputs;
  shape: WhereShape;
}

type FieldRef = ReturnType<Parameters<Builder["prismaObjectField"]>[2]>;
/** `t.relation` typed for models known only at run time (the builder's models have no relation names). */
type Relation = (name: string, options: Record<string, unknown>) => FieldRef;

/**
 * `Trip.customer: Customer` (nullable when the belongsTo is optional) and `Customer.trips(where, orderBy, take,
 * skip): [Trip!]!`, through the Prisma plugin's relations: a selection of them under any Prisma-backed field is
 * planned into that field's query as an include, so a page of customers and all their trips take one statement
 * per level, whatever the number of rows.
 */
export function addRelationFields(builder: Builder, relations: readonly ResolvedRelation[], types: ReadonlyMap<string, RelatedTypes>, pagination: PaginationOptions): void {
  for (const relation of relations) {
    const child = types.get(relation.child.name)!;
    const parent = types.get(relation.parent.name)!;
    builder.prismaObjectField(child.type, relation.field, (t) =>
      relationOf(t)(relation.field, {
        nullable: relation.isOptional,
        description: `The ${relation.parent.typeName} this ${relation.child.typeName} belongs to (its ${relation.foreignKey}).`,
      }),
    );
    const listField = relation.listField;
    if (listField === undefined) continue;
    builder.prismaObjectField(parent.type, listField, (t) =>
      relationOf(t)(listField, {
        description: `This ${relation.parent.typeName}'s ${relation.child.typeName} rows matching \`where\`, in \`orderBy\` order (default: oldest first), a page at a time.`,
        args: {
          where: t.arg({ type: child.inputs.where }),
          orderBy: t.arg({ type: [child.inputs.orderBy], required: { list: false, items: true } }),
          take: t.arg.int({ description: `At most this many rows (default ${pagination.defaultTake ?? 50}, at most ${pagination.maxTake ?? 200}).` }),
          skip: t.arg.int({ description: "Leave out this many rows first." }),
        },
        query: (args: ListArgs): Row => prismaListArgs(relation.child.fields, args, pagination, child.shape.relations),
      }),
    );
  }
}

function relationOf(t: { relation: unknown }): Relation {
  return (t.relation as Relation).bind(t);
}
