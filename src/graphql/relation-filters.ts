import { InputFieldBuilder } from "@pothos/core";
import type { ResolvedRelation } from "../entity/check-relations.ts";
import type { FieldMap } from "../entity/infer.ts";
import type { Row } from "../saga/driver.ts";
import type { Builder, Types } from "./builder.ts";
import type { InputRef } from "./entity-inputs.ts";

/** How `where` reaches a related entity: through a `belongsTo` (one row) or a `hasMany` (a list). */
export interface RelationFilter {
  many: boolean;
  target: WhereShape;
}

/** What turning an entity's GraphQL `where` into Prisma's needs to know of it. */
export interface WhereShape {
  fields: FieldMap;
  relations: Record<string, RelationFilter>;
}

/** The quantifiers of a list filter, in Prisma's words. */
const QUANTIFIERS = {
  some: "At least one related row matches.",
  every: "Every related row matches (true when there is none).",
  none: "No related row matches.",
} as const;

/**
 * Each entity's `where` shape, relations included: `trip.customer` lets trips be filtered on their customer's
 * fields, `customer.trips` lets customers be filtered on their trips'. Shapes refer to each other, so a filter can
 * go as deep as the nesting bound allows.
 */
export function whereShapes(entities: ReadonlyArray<{ name: string; fields: FieldMap }>, relations: readonly ResolvedRelation[]): Map<string, WhereShape> {
  const shapes = new Map(entities.map((entity) => [entity.name, { fields: entity.fields, relations: {} } as WhereShape]));
  for (const relation of relations) {
    const child = shapes.get(relation.child.name)!;
    const parent = shapes.get(relation.parent.name)!;
    child.relations[relation.field] = { many: false, target: parent };
    if (relation.listField !== undefined) parent.relations[relation.listField] = { many: true, target: child };
  }
  return shapes;
}

/**
 * The Prisma condition of one relation filter. An empty one-row filter is no condition (like an empty `where`);
 * an empty `some` means "has at least one", as in Prisma.
 */
export function relationCondition(key: string, filter: Row, relation: RelationFilter, translate: (where: Row, shape: WhereShape) => Row | undefined): Row | undefined {
  if (!relation.many) {
    const nested = translate(filter, relation.target);
    return nested ? { [key]: { is: nested } } : undefined;
  }
  const quantified: Row = {};
  for (const quantifier of Object.keys(QUANTIFIERS)) {
    const value = filter[quantifier];
    if (value !== null && value !== undefined) quantified[quantifier] = translate(value as Row, relation.target) ?? {};
  }
  return Object.keys(quantified).length > 0 ? { [key]: quantified } : undefined;
}

/**
 * Adds the relation fields to the `where` inputs: `TripWhereInput.customer: CustomerWhereInput` and
 * `CustomerWhereInput.trips: TripListFilter { some, every, none }`, one list filter per entity that is listed.
 */
export function addRelationFilters(builder: Builder, relations: readonly ResolvedRelation[], whereInputs: ReadonlyMap<string, InputRef>): void {
  const listFilters = new Map<string, InputRef>();
  const listFilter = (child: ResolvedRelation["child"]) => {
    let ref = listFilters.get(child.name);
    if (!ref) {
      const where = whereInputs.get(child.name)!;
      ref = builder.inputRef<Row>(`${child.typeName}ListFilter`).implement({
        description: `Conditions on a list of related ${child.typeName} rows; all that are given must hold.`,
        fields: (t) =>
          Object.fromEntries(
            Object.entries(QUANTIFIERS).map(([name, description]) => [name, t.field({ type: where, required: false, description })]),
          ) as Record<string, ReturnType<typeof t.boolean>>,
      });
      listFilters.set(child.name, ref);
    }
    return ref;
  };
  const add = (entity: string, name: string, type: InputRef, description: string) => {
    // Pothos adds the fields when the schema is built, after every input type exists.
    whereInputs.get(entity)!.addFields(() => ({ [name]: new InputFieldBuilder<Types, "InputObject">(builder, "InputObject").field({ type, required: false, description }) }));
  };
  for (const relation of relations) {
    const { child, parent } = relation;
    add(child.name, relation.field, whereInputs.get(parent.name)!, `The ${parent.typeName} this ${child.typeName} belongs to matches.`);
    if (relation.listField !== undefined) add(parent.name, relation.listField, listFilter(child), `This ${parent.typeName}'s ${relation.listField} match.`);
  }
}
