import { GraphQLError } from "graphql";

/**
 * CRUD refusals are GraphQL errors with a stable `extensions.code`, which yoga passes through unmasked:
 * BAD_USER_INPUT (the request itself is wrong), NOT_FOUND (no row with that id), CONFLICT (a unique field
 * already holds the value), RESOURCE_BUSY (an action's run holds the row). Every one is raised before or instead
 * of a write, so nothing changed.
 */
export function badUserInput(message: string, details: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT", ...details } });
}

export function notFound(typeName: string, id: string): GraphQLError {
  return new GraphQLError(`${typeName} "${id}" not found`, { extensions: { code: "NOT_FOUND", id } });
}

export function conflict(typeName: string, fields: readonly string[]): GraphQLError {
  const which = fields.length > 0 ? fields.join(", ") : "a unique field";
  return new GraphQLError(`Another ${typeName} already has this ${which}`, {
    extensions: { code: "CONFLICT", fields },
  });
}

export function resourceBusy(typeName: string, id: string): GraphQLError {
  return new GraphQLError(
    `${typeName} "${id}" is busy with an action's run; nothing changed, try again once it ended`,
    {
      extensions: { code: "RESOURCE_BUSY", id },
    },
  );
}

interface PrismaErrorLike {
  code: string;
  meta?: Record<string, unknown>;
}

function isPrismaError(error: unknown): error is PrismaErrorLike {
  return (
    typeof error === "object" &&
    error !== null &&
    typeof (error as PrismaErrorLike).code === "string" &&
    /^P\d{4}$/.test((error as PrismaErrorLike).code)
  );
}

/**
 * Turns the database's refusal of a write into the client's error; anything else is a bug and is rethrown
 * as is, for yoga to mask and the server to log. Matched by Prisma's stable error codes, not by class:
 * the client classes live in each app's generated client.
 */
export function translateWriteError(error: unknown, typeName: string, id?: string): never {
  if (isPrismaError(error)) {
    if (error.code === "P2002") throw conflict(typeName, uniqueFields(error.meta));
    if (error.code === "P2025" && id !== undefined) throw notFound(typeName, id);
    if (error.code === "P2000") throw badUserInput("A value is too long for its column");
  }
  throw error;
}

/** Prisma names the columns in `meta.target`, or, through a driver adapter, in the adapter's cause. */
function uniqueFields(meta: Record<string, unknown> | undefined): string[] {
  const target = meta?.target;
  if (Array.isArray(target)) return target.map(String);
  if (typeof target === "string") return [target];
  const adapterCause = (meta?.driverAdapterError as { cause?: { constraint?: { fields?: unknown } } } | undefined)
    ?.cause;
  const fields = adapterCause?.constraint?.fields;
  return Array.isArray(fields) ? fields.map((f) => String(f).replaceAll('"', "")) : [];
}
