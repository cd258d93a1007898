import type { AnyField } from "../entity/field.ts";
import type { FieldMap } from "../entity/infer.ts";
import type { Builder } from "./builder.ts";
import { SCALAR_OF } from "./scalars.ts";

type InputFieldBuilder = Parameters<NonNullable<Parameters<Builder["inputType"]>[1]["fields"]>>[0];
type InputFieldRef = ReturnType<InputFieldBuilder["boolean"]>;

/**
 * Input fields for entity fields. `"create"` requires what has neither a default nor `.optional()`;
 * `"update"` makes everything optional (an explicit null on a required field is refused by the resolver).
 */
export function entityInputFields(t: InputFieldBuilder, fields: FieldMap, mode: "create" | "update"): Record<string, InputFieldRef> {
  const result: Record<string, InputFieldRef> = {};
  for (const [name, field] of Object.entries(fields)) {
    const required = mode === "create" && !field.isOptional && !field.hasDefault;
    // The scalar is only known per field; Pothos types each scalar literal on its own.
    result[name] = t.field({ type: SCALAR_OF[field.kind] as "Boolean", required, description: describeInput(field, mode) }) as InputFieldRef;
  }
  return result;
}

function describeInput(field: AnyField, mode: "create" | "update"): string | undefined {
  if (mode === "update") return field.isOptional ? "Null clears the field." : undefined;
  if (field.hasDefault) return `Defaults to ${JSON.stringify(field.defaultValue)}.`;
  return undefined;
}
