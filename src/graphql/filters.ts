import type { FieldKind } from "../entity/field.ts";
import type { Builder } from "./builder.ts";
import type { InputRef } from "./entity-inputs.ts";

/** The operators each filter offers, by the GraphQL scalar it compares. */
const OPERATORS = {
  ID: ["equals", "not", "in", "notIn"],
  String: ["equals", "not", "in", "notIn", "lt", "lte", "gt", "gte", "contains", "startsWith", "endsWith"],
  Int: ["equals", "not", "in", "notIn", "lt", "lte", "gt", "gte"],
  Float: ["equals", "not", "in", "notIn", "lt", "lte", "gt", "gte"],
  Boolean: ["equals", "not"],
  DateTime: ["equals", "not", "in", "notIn", "lt", "lte", "gt", "gte"],
} as const;

export type FilterScalar = keyof typeof OPERATORS;

const DESCRIPTIONS: Record<string, string> = {
  equals: "Equal to the value.",
  not: "Not equal to the value.",
  in: "Equal to one of the values.",
  notIn: "Equal to none of the values.",
  lt: "Less than the value.",
  lte: "Less than or equal to the value.",
  gt: "Greater than the value.",
  gte: "Greater than or equal to the value.",
  contains: "Contains the value as a substring; every character, % and _ too, matches only itself.",
  startsWith: "Starts with the value; every character, % and _ too, matches only itself.",
  endsWith: "Ends with the value; every character, % and _ too, matches only itself.",
  isNull: "true: the field is null; false: it is not. A required field is never null.",
};

/** Which filter a field kind gets; JSON has none: its comparisons differ too much between databases. */
export const FILTER_OF: Record<FieldKind, FilterScalar | undefined> = {
  string: "String",
  text: "String",
  int: "Int",
  float: "Float",
  boolean: "Boolean",
  datetime: "DateTime",
  json: undefined,
};

export type FilterRef = InputRef;
export type FilterRefs = Record<FilterScalar, FilterRef>;

/**
 * One shared filter input per scalar (`StringFilter`, `IntFilter`, …), as Prisma and Hasura users expect.
 * An explicit null operand means "no condition"; nullness is tested with `isNull`, never with `equals: null`.
 */
export function addFilterTypes(builder: Builder): FilterRefs {
  const refs = {} as FilterRefs;
  for (const scalar of Object.keys(OPERATORS) as FilterScalar[]) {
    refs[scalar] = builder.inputRef<Record<string, unknown>>(`${scalar}Filter`).implement({
      description: `Conditions on a ${scalar} field; all that are given must hold.`,
      fields: (t) => {
        const fields: Record<string, unknown> = {};
        for (const op of OPERATORS[scalar]) {
          const list = op === "in" || op === "notIn";
          // Pothos types each scalar literal separately; the names here are only known per loop iteration.
          fields[op] = list
            ? t.field({
                type: [scalar as "String"],
                required: { list: false, items: true },
                description: DESCRIPTIONS[op],
              })
            : t.field({ type: scalar as "String", required: false, description: DESCRIPTIONS[op] });
        }
        fields.isNull = t.boolean({ required: false, description: DESCRIPTIONS.isNull });
        return fields as Record<string, ReturnType<typeof t.boolean>>;
      },
    });
  }
  return refs;
}

/** GraphQL enum values are upper case by convention; they map to Prisma's "asc" / "desc". */
export function addSortOrder(builder: Builder) {
  return builder.enumType("SortOrder", {
    values: {
      ASC: { value: "asc" as const, description: "Smallest first." },
      DESC: { value: "desc" as const, description: "Largest first." },
    },
  });
}

export type SortOrderRef = ReturnType<typeof addSortOrder>;
