import type { AnyField, Field, FieldKind, FieldValue } from "./field.ts";

export type FieldMap = Record<string, AnyField>;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** A stored row of an entity: its generated `id`, timestamps and every field (optional fields may be null). */
export type InferEntity<F extends FieldMap> = Simplify<
  { id: string; createdAt: Date; updatedAt: Date } & { [K in keyof F]: FieldValue<F[K]> }
>;

type OmittableKeys<F extends FieldMap> = {
  [K in keyof F]: F[K] extends Field<FieldKind, infer O, infer D>
    ? O extends true
      ? K
      : D extends true
        ? K
        : never
    : never;
}[keyof F];

/** What creating a row takes: fields with a default or marked optional may be left out. */
export type InferCreate<F extends FieldMap> = Simplify<
  { [K in Exclude<keyof F, OmittableKeys<F>>]: FieldValue<F[K]> } & { [K in OmittableKeys<F>]?: FieldValue<F[K]> }
>;

/** What an update takes: any subset of the fields. */
export type InferUpdate<F extends FieldMap> = Simplify<{ [K in keyof F]?: FieldValue<F[K]> }>;

/** What an action's `.input({...})` fields produce in `ctx.input`. */
export type InferInput<F extends FieldMap> = InferCreate<F>;
