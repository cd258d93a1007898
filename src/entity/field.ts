/** The scalar kinds an entity field can have; each maps to one Prisma type and one GraphQL scalar. */
export type FieldKind = "string" | "text" | "int" | "float" | "boolean" | "datetime" | "json";

interface FieldTypeOf {
  string: string;
  text: string;
  int: number;
  float: number;
  boolean: boolean;
  datetime: Date;
  json: JsonValue;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * An immutable field description. The type parameters carry what the DSL calls changed, so an entity's
 * row type, create input and update input can be inferred from its fields.
 */
export interface Field<K extends FieldKind = FieldKind, Optional extends boolean = boolean, HasDefault extends boolean = boolean> {
  readonly kind: K;
  readonly isOptional: Optional;
  readonly hasDefault: HasDefault;
  readonly isUnique: boolean;
  readonly defaultValue: FieldTypeOf[K] | undefined;
  /** The column may hold null; reading it gives `null`, creating may omit it. */
  optional(): Field<K, true, HasDefault>;
  /** Creating may omit the field; the database fills in `value`. */
  default(value: FieldTypeOf[K]): Field<K, Optional, true>;
  /** A unique index on the column; a duplicate write fails with a unique-violation error. */
  unique(): Field<K, Optional, HasDefault>;
}

export type AnyField = Field<FieldKind, boolean, boolean>;

/** The TypeScript type a field holds when read. */
export type FieldValue<F> = F extends Field<infer K, infer O, boolean> ? FieldTypeOf[K] | (O extends true ? null : never) : never;

interface FieldState<K extends FieldKind> {
  kind: K;
  isOptional: boolean;
  hasDefault: boolean;
  isUnique: boolean;
  defaultValue: FieldTypeOf[K] | undefined;
}

function makeField<K extends FieldKind, O extends boolean, D extends boolean>(state: FieldState<K>): Field<K, O, D> {
  const field = {
    ...state,
    optional: () => makeField<K, true, D>({ ...state, isOptional: true }),
    default: (value: FieldTypeOf[K]) => makeField<K, O, true>({ ...state, hasDefault: true, defaultValue: value }),
    unique: () => makeField<K, O, D>({ ...state, isUnique: true }),
  };
  return Object.freeze(field) as Field<K, O, D>;
}

function base<K extends FieldKind>(kind: K): Field<K, false, false> {
  return makeField<K, false, false>({ kind, isOptional: false, hasDefault: false, isUnique: false, defaultValue: undefined });
}

export const string = base("string");
export const text = base("text");
export const int = base("int");
export const float = base("float");
export const boolean = base("boolean");
export const datetime = base("datetime");
export const json = base("json");

export function isField(value: unknown): value is AnyField {
  return typeof value === "object" && value !== null && "kind" in value && "isOptional" in value && "unique" in value;
}
