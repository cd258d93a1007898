import type { AnyField, FieldKind } from "../entity/field.ts";
import type { FieldMap } from "../entity/infer.ts";
import { ValidationError, type FieldProblem } from "./action-errors.ts";

// A 32-bit signed integer, as a GraphQL Int and the databases' INTEGER columns hold it: the range is not symmetric.
const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

const CHECKS: Record<FieldKind, (value: unknown) => boolean> = {
  string: (v) => typeof v === "string",
  text: (v) => typeof v === "string",
  int: (v) => Number.isInteger(v) && (v as number) >= INT_MIN && (v as number) <= INT_MAX,
  float: (v) => typeof v === "number" && Number.isFinite(v),
  boolean: (v) => typeof v === "boolean",
  datetime: (v) => v instanceof Date && !Number.isNaN(v.getTime()),
  json: (v) => v !== undefined,
};

/**
 * Checks an action's input against its declared fields and fills in defaults. GraphQL already enforces
 * types at its boundary; this guards every other caller (scripts, tests, recovery) the same way.
 */
export function validateInput(fields: FieldMap | undefined, input: unknown): Record<string, unknown> | undefined {
  if (!fields) return undefined;
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw new ValidationError("input must be an object");
  const given = input as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  const output: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(fields)) {
    const problem = checkField(name, field, given[name]);
    if (problem) problems.push(problem);
    else output[name] = given[name] ?? (field.hasDefault ? field.defaultValue : null);
  }
  for (const name of Object.keys(given)) if (!(name in fields)) problems.push({ field: name, message: "is not an input field" });
  if (problems.length > 0) {
    throw new ValidationError(`Invalid input: ${problems.map((p) => `${p.field} ${p.message}`).join("; ")}`, problems);
  }
  return output;
}

function checkField(name: string, field: AnyField, value: unknown): FieldProblem | undefined {
  if (value === undefined || value === null) {
    return field.isOptional || field.hasDefault ? undefined : { field: name, message: "is required" };
  }
  return CHECKS[field.kind](value) ? undefined : { field: name, message: `must be a ${field.kind}` };
}
