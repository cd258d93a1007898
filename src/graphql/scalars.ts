import { DateTimeResolver, JSONResolver } from "graphql-scalars";
import type { FieldKind } from "../entity/field.ts";
import type { Builder } from "./builder.ts";

export function addScalars(builder: Builder): void {
  builder.addScalarType("JSON", JSONResolver);
  builder.addScalarType("DateTime", DateTimeResolver);
}

export type ScalarName = "String" | "Int" | "Float" | "Boolean" | "DateTime" | "JSON";

/** The GraphQL scalar of each entity field kind; `text` is a long string, not a different type to clients. */
export const SCALAR_OF: Record<FieldKind, ScalarName> = {
  string: "String",
  text: "String",
  int: "Int",
  float: "Float",
  boolean: "Boolean",
  datetime: "DateTime",
  json: "JSON",
};
