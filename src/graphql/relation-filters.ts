import { InputFieldBuilder } from "@pothos/core";
import type { ResolvedRelation } from "../entity/check-relations.ts";
import type { FieldMap } from "../entity/infer.ts";
import type { Row } from "../engine/definition/driver.ts";
import type { Builder, Types } from "./builder.ts";
import type { InputRef } from "./entity-inputs.ts";
import type { ReadScopes } from "./read-scopes.ts";
import type { AccessScope } from "../action/access-scope.ts";

/** How `where` reaches a related entity: through a `belongsTo` (one row) or a `hasMany` (a list). */
export interface RelationFilter {
  many: boolean;
  target: WhereShape;
}

/** What turning an entity's GraphQL `where` into Prisma's needs to know of it. */
export interface WhereShape {
  /** The entity's name, whose read rule limits which of its rows a filter through a relation can match. */
  name: string;
  fields: FieldMap;
  relations: Record<string, RelationFilter>;
}

/** False for an entity under `crud({ read: false })`: no filter reaches its rows through a relation. */
export type Readable = (entityName: string) => boolean;

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
export function whereShapes(
  entities: ReadonlyArray<{ name: string; fields: FieldMap }>,
  relations: readonly ResolvedRelation[],
  readable: Readable = () => true,
): Map<string, WhereShape> {
  const shapes = new Map(
    entities.map((entity) => [entity.name, { name: entity.name, fields: entity.fields, relations: {} } as WhereShape]),
  );
  for (const relation of relations) {
    const child = shapes.get(relation.child.name)!;
    const parent = shapes.get(relation.parent.name)!;
    if (readable(relation.parent.name)) child.relations[relation.field] = { many: false, target: parent };
    if (relation.listField !== undefined && readable(relation.child.name))
      parent.relations[relation.listField] = { many: true, target: child };
  }
  return shapes;
}

/**
 * The Prisma condition of one relation filter. An empty one-row filter is no condition (like an empty `where`);
 * an empty `some` means "has at least one", as in Prisma.
 *
 * Only related rows the caller may read count: the related entity's read filter is ANDed into `is`, `some` and
 * `none`, and `every` is "no readable row fails it". So a filter can never tell a caller anything about a row
 * they may not read: `trips(where: { customer: { name: … } })` matches no trip of a customer outside the rule.
 */
export function relationCondition(
  key: string,
  filter: Row,
  relation: RelationFilter,
  translate: (where: Row, shape: WhereShape) => Row | undefined,
  scopes: ReadScopes,
): Row | undefined {
  const scope = scopes(relation.target.name);
  if (!relation.many) {
    const nested = translate(filter, relation.target);
    return nested ? { [key]: { is: readableWhere(nested, scope) } } : undefined;
  }
  const conditions: Row[] = [];
  for (const quantifier of Object.keys(QUANTIFIERS)) {
    const value = filter[quantifier];
    if (value === null || value === undefined) continue;
    const nested = translate(value as Row, relation.target) ?? {};
    if (quantifier !== "every" || scope.kind === "all")
      conditions.push({ [key]: { [quantifier]: readableWhere(nested, scope) } });
    // Under a rule, "no readable row fails it", so the read filter narrows it as it narrows `none`; an empty one always holds.
    else if (Object.keys(nested).length > 0)
      conditions.push({ [key]: { none: readableWhere({ NOT: nested }, scope) } });
  }
  if (conditions.length === 0) return undefined;
  return conditions.length === 1 ? conditions[0] : { AND: conditions };
}

/** A condition no row satisfies: the id is in an empty list. */
const NOTHING: Row = { id: { in: [] } };

/** The rows matching `where` that the scope lets the caller read. */
export function readableWhere(where: Row, scope: AccessScope): Row {
  if (scope.kind === "all") return where;
  if (scope.kind === "none") return NOTHING;
  return Object.keys(where).length === 0 ? scope.where : { AND: [where, scope.where] };
}

/**
 * Adds the relation fields to the `where` inputs: `TripWhereInput.customer: CustomerWhereInput` and
 * `CustomerWhereInput.trips: TripListFilter { some, every, none }`, one list filter per entity that is listed.
 */
export function addRelationFilters(
  builder: Builder,
  relations: readonly ResolvedRelation[],
  whereInputs: ReadonlyMap<string, InputRef>,
  readable: Readable = () => true,
): void {
  const listFilters = new Map<string, InputRef>();
  const listFilter = (child: ResolvedRelation["child"]) => {
    let ref = listFilters.get(child.name);
    if (!ref) {
      const where = whereInputs.get(child.name)!;
      ref = builder.inputRef<Row>(`${child.typeName}ListFilter`).implement({
        description: `Conditions on a list of related ${child.typeName} rows; all that are given must hold.`,
        fields: (t) =>
          Object.fromEntries(
            Object.entries(QUANTIFIERS).map(([name, description]) => [
              name,
              t.field({ type: where, required: false, description }),
            ]),
          ) as Record<string, ReturnType<typeof t.boolean>>,
      });
      listFilters.set(child.name, ref);
    }
    return ref;
  };
  const add = (entity: string, name: string, type: InputRef, description: string) => {
    // Pothos adds the fields when the schema is built, after every input type exists.
    whereInputs.get(entity)!.addFields(() => ({
      [name]: new InputFieldBuilder<Types, "InputObject">(builder, "InputObject").field({
        type,
        required: false,
        description,
      }),
    }));
  };
  for (const relation of relations) {
    const { child, parent } = relation;
    if (readable(parent.name))
      add(
        child.name,
        relation.field,
        whereInputs.get(parent.name)!,
        `The ${parent.typeName} this ${child.typeName} belongs to matches.`,
      );
    if (relation.listField !== undefined && readable(child.name))
      add(parent.name, relation.listField, listFilter(child), `This ${parent.typeName}'s ${relation.listField} match.`);
  }
}
