/** The scalar kinds an entity field can have; each maps to one Prisma type and one GraphQL scalar. */
export type FieldKind = "string" | "text" | "int" | "float" | "boolean" | "datetime" | "json";

/** Kinds that take `.min()` / `.max()`. */
export type NumericKind = "int" | "float";
/** Kinds that take `.maxLength()`. */
export type TextKind = "string" | "text";

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
 * The longest value, in characters, a field takes unless it declares its own with `.maxLength(n)`: a bound on
 * what one request can make the database store, large enough for a name or an address, or a document for `text`.
 */
export const DEFAULT_MAX_LENGTH: Record<TextKind, number> = { string: 1_000, text: 1_000_000 };

/**
 * An immutable field description. The type parameters carry what the DSL calls changed, so an entity's
 * row type, create input and update input can be inferred from its fields.
 */
export interface Field<
  K extends FieldKind = FieldKind,
  Optional extends boolean = boolean,
  HasDefault extends boolean = boolean,
> {
  readonly kind: K;
  readonly isOptional: Optional;
  readonly hasDefault: HasDefault;
  readonly isUnique: boolean;
  readonly defaultValue: FieldTypeOf[K] | undefined;
  /** The smallest value a numeric field takes, inclusive; undefined: no bound beyond the column's. */
  readonly minimum: number | undefined;
  /** The largest value a numeric field takes, inclusive; undefined: no bound beyond the column's. */
  readonly maximum: number | undefined;
  /** The longest string, in characters, a string or text field takes; undefined for other kinds. */
  readonly maximumLength: number | undefined;
  /** Left out of the API's create and update inputs: only steps and the column's default write it. */
  readonly isServerOnly: boolean;
  /** Left out of the API entirely (object type, inputs, filters, sorting); steps still read and write it. */
  readonly isHidden: boolean;
  /** An action input whose value the API never shows back (`workflowRun`'s `input` says "[redacted]"). */
  readonly isSecret: boolean;
  /** The entity whose id this column holds: set on the foreign key column of a `belongsTo`, undefined otherwise. */
  readonly references: string | undefined;
  /** The column may hold null; reading it gives `null`, creating may omit it. */
  optional(): Field<K, true, HasDefault>;
  /** Creating may omit the field; the database fills in `value`. */
  default(value: FieldTypeOf[K]): Field<K, Optional, true>;
  /** A unique index on the column; a duplicate write fails with a unique-violation error. */
  unique(): Field<K, Optional, HasDefault>;
  /** Clients read the field but never set it; needs `.default()` or `.optional()` so creating can omit it. */
  serverOnly(): Field<K, Optional, HasDefault>;
  /** The API never shows the field nor takes it; needs `.default()` or `.optional()` so creating can omit it. */
  hidden(): Field<K, Optional, HasDefault>;
  /**
   * For an action's input: steps get the value, the journal keeps it (a resumed run needs it), but `workflowRun`,
   * `workflowRuns` and `workflowRunUpdated` show `"[redacted]"` in its place — a card number or a password never
   * travels back out.
   */
  secret(): Field<K, Optional, HasDefault>;
  /** Values below `value` are refused before they reach the database. Numeric fields only. */
  readonly min: K extends NumericKind ? (value: number) => Field<K, Optional, HasDefault> : never;
  /** Values above `value` are refused before they reach the database. Numeric fields only. */
  readonly max: K extends NumericKind ? (value: number) => Field<K, Optional, HasDefault> : never;
  /** Strings longer than `characters` are refused before they reach the database. String and text fields only. */
  readonly maxLength: K extends TextKind ? (characters: number) => Field<K, Optional, HasDefault> : never;
}

export type AnyField = Field<FieldKind, boolean, boolean>;

/** The TypeScript type a field holds when read. */
export type FieldValue<F> =
  F extends Field<infer K, infer O, boolean> ? FieldTypeOf[K] | (O extends true ? null : never) : never;

interface FieldState<K extends FieldKind> {
  kind: K;
  isOptional: boolean;
  hasDefault: boolean;
  isUnique: boolean;
  defaultValue: FieldTypeOf[K] | undefined;
  minimum: number | undefined;
  maximum: number | undefined;
  maximumLength: number | undefined;
  isServerOnly: boolean;
  isHidden: boolean;
  isSecret: boolean;
  references: string | undefined;
}

const NUMERIC: readonly FieldKind[] = ["int", "float"];
const TEXTUAL: readonly FieldKind[] = ["string", "text"];

function makeField<K extends FieldKind, O extends boolean, D extends boolean>(state: FieldState<K>): Field<K, O, D> {
  checkState(state);
  const numeric = NUMERIC.includes(state.kind);
  const field = {
    ...state,
    optional: () => makeField<K, true, D>({ ...state, isOptional: true }),
    default: (value: FieldTypeOf[K]) => makeField<K, O, true>({ ...state, hasDefault: true, defaultValue: value }),
    unique: () => makeField<K, O, D>({ ...state, isUnique: true }),
    serverOnly: () => makeField<K, O, D>({ ...state, isServerOnly: true }),
    hidden: () => makeField<K, O, D>({ ...state, isHidden: true }),
    secret: () => makeField<K, O, D>({ ...state, isSecret: true }),
    min: numeric ? (value: number) => makeField<K, O, D>({ ...state, minimum: bound("min", value) }) : undefined,
    max: numeric ? (value: number) => makeField<K, O, D>({ ...state, maximum: bound("max", value) }) : undefined,
    maxLength: TEXTUAL.includes(state.kind)
      ? (characters: number) => makeField<K, O, D>({ ...state, maximumLength: length(characters) })
      : undefined,
  };
  return Object.freeze(field) as unknown as Field<K, O, D>;
}

function bound(name: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value)) throw new TypeError(`${name}() takes a finite number`);
  return value;
}

function length(characters: number): number {
  if (!Number.isSafeInteger(characters) || characters < 1) throw new TypeError("maxLength() takes a positive integer");
  return characters;
}

/** A contradiction in the modifiers fails where the field is defined, not at the first write. */
function checkState(state: FieldState<FieldKind>): void {
  const { minimum, maximum, defaultValue } = state;
  if (minimum !== undefined && maximum !== undefined && minimum > maximum)
    throw new TypeError(`min(${minimum}) is above max(${maximum})`);
  if (
    typeof defaultValue === "number" &&
    ((minimum !== undefined && defaultValue < minimum) || (maximum !== undefined && defaultValue > maximum))
  ) {
    throw new TypeError(`default(${defaultValue}) is outside the field's range`);
  }
  if (
    typeof defaultValue === "string" &&
    state.maximumLength !== undefined &&
    [...defaultValue].length > state.maximumLength
  ) {
    throw new TypeError(`default() is longer than maxLength(${state.maximumLength})`);
  }
}

function base<K extends FieldKind>(kind: K): Field<K, false, false> {
  const maximumLength = kind === "string" || kind === "text" ? DEFAULT_MAX_LENGTH[kind as TextKind] : undefined;
  return makeField<K, false, false>({
    kind,
    isOptional: false,
    hasDefault: false,
    isUnique: false,
    defaultValue: undefined,
    minimum: undefined,
    maximum: undefined,
    maximumLength,
    isServerOnly: false,
    isHidden: false,
    isSecret: false,
    references: undefined,
  });
}

/** The foreign key column of a `belongsTo`: a string holding an id of `target`, as long as an id is. */
export function referenceField(target: string): Field<"string", false, false> {
  return makeField<"string", false, false>({ ...base("string"), maximumLength: undefined, references: target });
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
