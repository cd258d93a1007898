import { WorkflowDefinitionError } from "../engine/errors.ts";
import { assertIdentifier } from "./names.ts";

/**
 * What deleting a row does to the rows that point at it through a `belongsTo`:
 * - `"restrict"`: the delete is refused while any row points at it (`CONFLICT` through the API);
 * - `"cascade"`: those rows are deleted with it;
 * - `"setNull"`: their foreign key is cleared (the `belongsTo` must be `.optional()`).
 */
export type OnDelete = "restrict" | "cascade" | "setNull";

export interface BelongsToOptions {
  /** What deleting the row pointed at does to this one. @default "restrict" */
  onDelete?: OnDelete;
}

export interface HasManyOptions {
  /**
   * The `belongsTo` field on the other entity that this list follows. Needed only when that entity has more than
   * one `belongsTo` to this one (a trip's `origin` and `destination` cities); otherwise it is the only one.
   * @default the other entity's only belongsTo to this one
   */
  inverse?: string;
}

/**
 * A many-to-one link: the row stores the id of one row of `target` in the column `<field>Id` (`customer` →
 * `customerId`), indexed, with a foreign key. Required unless `.optional()`.
 */
export interface BelongsTo<Target extends string = string, Optional extends boolean = boolean> {
  readonly relation: "belongsTo";
  readonly target: Target;
  readonly isOptional: Optional;
  readonly onDelete: OnDelete;
  /** The row may point at no `target` row: its foreign key column holds null. */
  optional(): BelongsTo<Target, true>;
}

/** The rows of `target` whose `belongsTo` points at this row; stored on their side, nothing on this one. */
export interface HasMany<Target extends string = string> {
  readonly relation: "hasMany";
  readonly target: Target;
  readonly inverse: string | undefined;
}

export type AnyRelation = BelongsTo | HasMany;

const ON_DELETE: readonly OnDelete[] = ["restrict", "cascade", "setNull"];

/** `customer: belongsTo("customer")` on `trip`: each trip points at one customer. */
export function belongsTo<const Target extends string>(
  target: Target,
  options: BelongsToOptions = {},
): BelongsTo<Target, false> {
  assertIdentifier("belongsTo target entity", target);
  const onDelete = options.onDelete ?? "restrict";
  if (!ON_DELETE.includes(onDelete)) {
    throw new WorkflowDefinitionError(
      `belongsTo("${target}"): onDelete must be one of ${ON_DELETE.join(", ")}, not ${JSON.stringify(onDelete)}`,
    );
  }
  return makeBelongsTo(target, false, onDelete);
}

function makeBelongsTo<Target extends string, O extends boolean>(
  target: Target,
  isOptional: O,
  onDelete: OnDelete,
): BelongsTo<Target, O> {
  return Object.freeze({
    relation: "belongsTo" as const,
    target,
    isOptional,
    onDelete,
    optional: () => makeBelongsTo(target, true, onDelete),
  });
}

/** `trips: hasMany("trip")` on `customer`: the trips whose `belongsTo("customer")` points at it. */
export function hasMany<const Target extends string>(target: Target, options: HasManyOptions = {}): HasMany<Target> {
  assertIdentifier("hasMany target entity", target);
  if (options.inverse !== undefined) assertIdentifier(`hasMany("${target}") inverse field`, options.inverse);
  return Object.freeze({ relation: "hasMany" as const, target, inverse: options.inverse });
}

export function isRelation(value: unknown): value is AnyRelation {
  if (typeof value !== "object" || value === null) return false;
  const relation = (value as { relation?: unknown }).relation;
  return relation === "belongsTo" || relation === "hasMany";
}

/** The foreign key column of a `belongsTo` field: `customer` → `customerId`. */
export function foreignKeyOf(field: string): string {
  return `${field}Id`;
}
