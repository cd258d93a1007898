import { valueProblem } from "../entity/check-value.ts";
import type { AnyField } from "../entity/field.ts";
import type { FieldMap } from "../entity/infer.ts";
import { ValidationError, type FieldProblem } from "./action-errors.ts";

/**
 * Checks an action's input against its declared fields and fills in defaults. GraphQL already enforces
 * types at its boundary; this guards every other caller (scripts, tests, recovery) the same way.
 */
export function validateInput(fields: FieldMap | undefined, input: unknown): Record<string, unknown> | undefined {
  if (!fields) return undefined;
  if (typeof input !== "object" || input === null || Array.isArray(input))
    throw new ValidationError("input must be an object");
  const given = input as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  const output: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(fields)) {
    const problem = checkField(name, field, given[name]);
    if (problem) problems.push(problem);
    else output[name] = given[name] ?? (field.hasDefault ? field.defaultValue : null);
  }
  for (const name of Object.keys(given))
    if (!(name in fields)) problems.push({ field: name, message: "is not an input field" });
  if (problems.length > 0) {
    throw new ValidationError(`Invalid input: ${problems.map((p) => `${p.field} ${p.message}`).join("; ")}`, problems);
  }
  return output;
}

function checkField(name: string, field: AnyField, value: unknown): FieldProblem | undefined {
  if (value === undefined || value === null) {
    return field.isOptional || field.hasDefault ? undefined : { field: name, message: "is required" };
  }
  const message = valueProblem(field, value);
  return message === undefined ? undefined : { field: name, message };
}
