import { objectEnumValues } from "@prisma/client/runtime/client";
import { valueProblem } from "../entity/check-value.ts";
import type { FieldMap } from "../entity/infer.ts";
import type { Row } from "../engine/definition/driver.ts";
import { badUserInput } from "./crud-errors.ts";

/** Prisma refuses a bare null for a JSON column; `DbNull` is how it spells SQL NULL there. */
const DB_NULL = objectEnumValues.instances.DbNull;

/**
 * The create data Prisma gets. GraphQL has already checked types and required fields; a null for a field
 * that may be left out means "left out", so the column's default (or NULL) applies.
 */
export function createData(fields: FieldMap, data: Row): Row {
  const given = Object.fromEntries(Object.entries(data).filter(([, value]) => value !== null && value !== undefined));
  refuseInvalid(fields, given);
  return given;
}

/** The update data Prisma gets: null clears an optional field, and is refused for a required one. */
export function updateData(fields: FieldMap, data: Row): Row {
  const result: Row = {};
  const required: string[] = [];
  for (const [name, value] of Object.entries(data)) {
    if (value === undefined) continue;
    const field = fields[name];
    if (value !== null) result[name] = value;
    else if (!field?.isOptional) required.push(name);
    else result[name] = field.kind === "json" ? DB_NULL : null;
  }
  if (required.length > 0) {
    throw badUserInput(`${required.join(", ")} cannot be null`, { fields: required });
  }
  refuseInvalid(fields, result);
  return result;
}

/** Every value a field may not hold, named in one refusal, so a client fixes them all at once. */
function refuseInvalid(fields: FieldMap, data: Row): void {
  const problems: Array<{ field: string; message: string }> = [];
  for (const [name, value] of Object.entries(data)) {
    const field = fields[name];
    if (!field || value === null || value === DB_NULL) continue;
    const message = valueProblem(field, value);
    if (message !== undefined) problems.push({ field: name, message });
  }
  if (problems.length > 0) {
    const text = problems.map((p) => `${p.field} ${p.message}`).join("; ");
    throw badUserInput(`Invalid data: ${text}`, { fields: problems.map((p) => p.field), problems });
  }
}
