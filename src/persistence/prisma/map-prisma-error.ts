import { ForeignKeyConstraintError, InvalidDataError, RecordNotFoundError, UniqueConstraintError } from "../../engine/definition/driver-errors.ts";

/** Prisma error codes that mean "the data does not fit the column", whichever database reported it. */
const INVALID_DATA_CODES = new Set(["P2000", "P2005", "P2006", "P2007", "P2011", "P2012", "P2013", "P2019", "P2020", "P2023"]);

interface PrismaErrorShape {
  name: string;
  message: string;
  code?: unknown;
  meta?: Record<string, unknown>;
}

function isPrismaError(error: unknown): error is PrismaErrorShape {
  return error instanceof Error && error.name.startsWith("PrismaClient");
}

/**
 * Turns a Prisma client error into the driver error it stands for, or returns it unchanged. Matched by
 * `name` and `code`, not `instanceof`: each app's generated client could bring its own runtime copy.
 */
export function mapPrismaError(error: unknown, entity: string, where?: unknown): unknown {
  if (!isPrismaError(error)) return error;
  if (error.name === "PrismaClientValidationError") return new InvalidDataError(entity, validationDetail(error.message), { cause: error });
  if (error.name !== "PrismaClientKnownRequestError") return error;
  const code = typeof error.code === "string" ? error.code : "";
  if (code === "P2025") return new RecordNotFoundError(entity, where, { cause: error });
  if (code === "P2002") return new UniqueConstraintError(entity, uniqueFields(error.meta), { cause: error });
  if (code === "P2003") return new ForeignKeyConstraintError(entity, { cause: error });
  if (INVALID_DATA_CODES.has(code)) return new InvalidDataError(entity, lastLine(error.message), { cause: error });
  return error;
}

/** Prisma reports the fields as `meta.target` (native engines) or inside the driver adapter's error. */
function uniqueFields(meta: Record<string, unknown> | undefined): string[] {
  if (!meta) return [];
  const target = meta.target;
  if (Array.isArray(target)) return target.map(String);
  const cause = (meta.driverAdapterError as { cause?: AdapterConstraintCause } | undefined)?.cause;
  const fields = cause?.constraint?.fields;
  if (Array.isArray(fields)) return fields.map((field) => String(field).replace(/^"|"$/g, ""));
  return fieldsOfIndex(cause?.constraint?.index, cause?.table);
}

interface AdapterConstraintCause {
  table?: string;
  constraint?: { fields?: unknown; index?: unknown };
}

/**
 * PostgreSQL names only the index. Prisma names unique indexes `<Model>_<field>…_key`, and entity fields
 * are camelCase without underscores, so the fields can be read back from the name.
 */
function fieldsOfIndex(index: unknown, table: string | undefined): string[] {
  if (typeof index !== "string" || !table) return [];
  const prefix = `${table}_`;
  if (!index.startsWith(prefix) || !index.endsWith("_key")) return [];
  return index.slice(prefix.length, -"_key".length).split("_").filter((field) => field !== "");
}

/**
 * Validation messages open with a code frame of the call site; the reason is the last line
 * ("Unknown argument `bogus`…", "Argument `email`: Invalid value provided. Expected String, provided Int.").
 */
function validationDetail(message: string): string {
  return lastLine(message);
}

function lastLine(message: string): string {
  const lines = message.split("\n").map((line) => line.trim()).filter((line) => line !== "");
  return lines[lines.length - 1] ?? message;
}
