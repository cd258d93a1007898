import { WorkflowDefinitionError } from "../engine/errors.ts";
import { referenceField, type AnyField, type Field } from "./field.ts";
import type { FieldMap } from "./infer.ts";
import { foreignKeyOf, isRelation, type AnyRelation, type BelongsTo, type HasMany } from "./relation.ts";

/** What `entity(name, fields)` takes: scalar fields and relations side by side. */
export type EntityFieldMap = Record<string, AnyField | AnyRelation>;

/** An entity's relations by field name, as declared (`customer: belongsTo("customer")`, `trips: hasMany("trip")`). */
export type RelationMap = Readonly<Record<string, AnyRelation>>;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/**
 * The stored columns of an entity's fields: a `belongsTo` field `customer` becomes the string column
 * `customerId` (nullable when optional), a `hasMany` stores nothing, every other field stays as it is.
 */
export type ColumnFields<F extends EntityFieldMap> = Columns<F> extends infer C extends FieldMap ? C : never;

type Columns<F extends EntityFieldMap> = Simplify<{
  [
    K in keyof F as F[K] extends HasMany ? never : F[K] extends BelongsTo ? `${K & string}Id` : K
  ]: F[K] extends BelongsTo<string, infer O> ? Field<"string", O, false> : F[K] extends AnyField ? F[K] : never;
}>;

/** Splits declared fields into stored columns (foreign keys included) and relations, refusing clashes. */
export function splitRelations(
  entityName: string,
  fields: EntityFieldMap,
): { columns: FieldMap; relations: RelationMap } {
  if (typeof fields !== "object" || fields === null) return { columns: fields as FieldMap, relations: {} };
  const columns: FieldMap = {};
  const relations: Record<string, AnyRelation> = {};
  for (const [name, field] of Object.entries(fields)) {
    if (!isRelation(field)) {
      columns[name] = field;
      continue;
    }
    relations[name] = field;
    if (field.relation === "hasMany") continue;
    const key = foreignKeyOf(name);
    if (Object.hasOwn(fields, key)) {
      throw new WorkflowDefinitionError(
        `Entity "${entityName}": belongsTo field "${name}" stores its id in "${key}", which is also declared as a field; rename one`,
      );
    }
    if (field.onDelete === "setNull" && !field.isOptional) {
      throw new WorkflowDefinitionError(
        `Entity "${entityName}": belongsTo field "${name}" has onDelete "setNull" but is required; make it .optional() or choose "restrict" or "cascade"`,
      );
    }
    const column = referenceField(field.target);
    columns[key] = field.isOptional ? column.optional() : column;
  }
  return { columns, relations: Object.freeze(relations) };
}
