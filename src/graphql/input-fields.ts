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
export function entityInputFields(
  t: InputFieldBuilder,
  fields: FieldMap,
  mode: "create" | "update",
  computed: ReadonlySet<string> = new Set(),
): Record<string, InputFieldRef> {
  const result: Record<string, InputFieldRef> = {};
  for (const [name, field] of Object.entries(fields)) {
    // A field the server computes on create may be left out of it.
    const required = mode === "create" && !field.isOptional && !field.hasDefault && !computed.has(name);
    // The scalar is only known per field; Pothos types each scalar literal on its own.
    result[name] = t.field({
      type: (field.references ? "ID" : SCALAR_OF[field.kind]) as "Boolean",
      required,
      description: describeInput(field, mode),
    }) as InputFieldRef;
  }
  return result;
}

function describeInput(field: AnyField, mode: "create" | "update"): string | undefined {
  const parts = [...describeBounds(field)];
  if (mode === "update" && field.isOptional) parts.push("Null clears the field.");
  if (mode === "create" && field.hasDefault) parts.push(`Defaults to ${JSON.stringify(field.defaultValue)}.`);
  return parts.length > 0 ? parts.join(" ") : undefined;
}

/** The declared bounds, so a client learns them from the schema rather than from a refusal. */
function describeBounds(field: AnyField): string[] {
  const parts: string[] = [];
  if (field.minimum !== undefined) parts.push(`At least ${field.minimum}.`);
  if (field.maximum !== undefined) parts.push(`At most ${field.maximum}.`);
  if (field.maximumLength !== undefined) parts.push(`At most ${field.maximumLength} characters.`);
  return parts;
}
