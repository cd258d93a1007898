import { WorkflowDefinitionError } from "../engine/errors.ts";
import type { RelationMap } from "./entity-relations.ts";
import type { FieldMap } from "./infer.ts";
import { pascalCase } from "./names.ts";
import { foreignKeyOf, type BelongsTo, type OnDelete } from "./relation.ts";

/** What relation checking needs of an entity; any `entity(...)` definition fits. */
export interface RelatedEntity {
  readonly name: string;
  readonly typeName: string;
  readonly fields: FieldMap;
  readonly relations?: RelationMap;
}

/**
 * One `belongsTo` and, when declared, the `hasMany` on the other side that lists it: `trip.customer` (the
 * child holds `customerId`) and `customer.trips`.
 */
export interface ResolvedRelation {
  /** Names the pair in the Prisma schema, unique per `belongsTo`: `TripCustomer`. */
  readonly name: string;
  /** The entity holding the foreign key. */
  readonly child: RelatedEntity;
  /** Its `belongsTo` field: `customer`. */
  readonly field: string;
  /** Its foreign key column: `customerId`. */
  readonly foreignKey: string;
  readonly isOptional: boolean;
  readonly onDelete: OnDelete;
  /** The entity pointed at. */
  readonly parent: RelatedEntity;
  /** The parent's `hasMany` field listing the children, if it declares one. */
  readonly listField: string | undefined;
}

/**
 * Checks the relations of a set of entities together, since each side names the other: a target no entity has,
 * a `hasMany` with no `belongsTo` facing it, one that could follow either of two, and two lists following one
 * `belongsTo` all fail here, naming the entities and fields involved. Schema building and Prisma generation both
 * call it, so neither ever sees a half-declared relation.
 */
export function checkRelations(entities: readonly RelatedEntity[]): ResolvedRelation[] {
  const byName = new Map(entities.map((entity) => [entity.name, entity]));
  const known = [...byName.keys()].join(", ");
  const target = (owner: RelatedEntity, field: string, kind: string, name: string) => {
    const found = byName.get(name);
    if (!found)
      throw new WorkflowDefinitionError(
        `Entity "${owner.name}": field "${field}" is ${kind}("${name}"), but no entity is named "${name}" (entities: ${known})`,
      );
    return found;
  };
  const relations: Array<{ -readonly [K in keyof ResolvedRelation]: ResolvedRelation[K] }> = [];
  for (const child of entities) {
    for (const [field, relation] of Object.entries(child.relations ?? {})) {
      if (relation.relation !== "belongsTo") continue;
      const parent = target(child, field, "belongsTo", relation.target);
      const { isOptional, onDelete } = relation as BelongsTo;
      relations.push({
        name: `${child.typeName}${pascalCase(field)}`,
        child,
        field,
        foreignKey: foreignKeyOf(field),
        isOptional,
        onDelete,
        parent,
        listField: undefined,
      });
    }
  }
  for (const parent of entities) {
    for (const [listField, relation] of Object.entries(parent.relations ?? {})) {
      if (relation.relation !== "hasMany") continue;
      const child = target(parent, listField, "hasMany", relation.target);
      const pair = facing(parent, listField, child, relation.inverse, relations);
      if (pair.listField !== undefined) {
        throw new WorkflowDefinitionError(
          `Entity "${parent.name}": fields "${pair.listField}" and "${listField}" both list ${child.name}.${pair.field}; give one of them { inverse } naming another belongsTo, or remove it`,
        );
      }
      pair.listField = listField;
    }
  }
  return relations;
}

/** The `belongsTo` of `child` that a `hasMany` on `parent` follows. */
function facing<R extends ResolvedRelation>(
  parent: RelatedEntity,
  listField: string,
  child: RelatedEntity,
  inverse: string | undefined,
  relations: R[],
): R {
  const candidates = relations.filter((r) => r.child === child && r.parent === parent);
  const where = `Entity "${parent.name}": field "${listField}" is hasMany("${child.name}")`;
  if (inverse !== undefined) {
    const chosen = candidates.find((r) => r.field === inverse);
    if (!chosen) {
      const options =
        candidates.length > 0
          ? `its belongsTo("${parent.name}") fields are ${candidates.map((r) => r.field).join(", ")}`
          : `it has no belongsTo("${parent.name}")`;
      throw new WorkflowDefinitionError(
        `${where} with inverse "${inverse}", but ${child.name}.${inverse} is no belongsTo("${parent.name}"): ${options}`,
      );
    }
    return chosen;
  }
  if (candidates.length === 0) {
    throw new WorkflowDefinitionError(
      `${where}, but entity "${child.name}" has no belongsTo("${parent.name}") field to store it: add one, e.g. ${parent.name}: belongsTo("${parent.name}")`,
    );
  }
  if (candidates.length > 1) {
    const fields = candidates.map((r) => r.field);
    throw new WorkflowDefinitionError(
      `${where}, but entity "${child.name}" has ${candidates.length} belongsTo("${parent.name}") fields (${fields.join(", ")}): say which one with hasMany("${child.name}", { inverse: "${fields[0]}" })`,
    );
  }
  return candidates[0]!;
}
