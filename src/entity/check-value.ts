import type { AnyField, FieldKind } from "./field.ts";

// A 32-bit signed integer, as a GraphQL Int and the databases' INTEGER columns hold it: the range is not symmetric.
const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

/**
 * The largest magnitude a float field stores and reads back. Prisma writes a float with 16 significant
 * digits, so anything above this rounds up past the largest double: SQLite then stores Infinity (which no
 * GraphQL Float can return) and PostgreSQL refuses the value as out of range.
 */
export const FLOAT_LIMIT = 1.797693134862315e308;

const KIND_CHECKS: Record<FieldKind, (value: unknown) => boolean> = {
  string: (v) => typeof v === "string",
  text: (v) => typeof v === "string",
  int: (v) => Number.isInteger(v) && (v as number) >= INT_MIN && (v as number) <= INT_MAX,
  float: (v) => typeof v === "number" && Number.isFinite(v),
  boolean: (v) => typeof v === "boolean",
  datetime: (v) => v instanceof Date && !Number.isNaN(v.getTime()),
  json: (v) => v !== undefined,
};

/**
 * What is wrong with a non-null value for a field, as a phrase that follows the field's name ("must be at
 * least 0"), or undefined when the field may hold it. Runs before any write, so a refused value changes nothing.
 */
export function valueProblem(field: AnyField, value: unknown): string | undefined {
  if (!KIND_CHECKS[field.kind](value)) return `must be a ${field.kind}`;
  if (typeof value === "number") return numberProblem(field, value);
  if (typeof value === "string") return stringProblem(field, value);
  return undefined;
}

function numberProblem(field: AnyField, value: number): string | undefined {
  if (Math.abs(value) > FLOAT_LIMIT) return `must be between ${-FLOAT_LIMIT} and ${FLOAT_LIMIT}`;
  if (field.minimum !== undefined && value < field.minimum) return `must be at least ${field.minimum}`;
  if (field.maximum !== undefined && value > field.maximum) return `must be at most ${field.maximum}`;
  return undefined;
}

function stringProblem(field: AnyField, value: string): string | undefined {
  const limit = field.maximumLength;
  // A string has at least as many UTF-16 units as characters: only a long one needs counting.
  if (limit !== undefined && value.length > limit && [...value].length > limit)
    return `must be at most ${limit} characters long`;
  // PostgreSQL text cannot hold U+0000; SQLite can. Refused on both, so an app behaves the same on either.
  if (value.includes("\u0000")) return "must not contain the NUL character";
  return undefined;
}
