/**
 * Errors every `Driver` raises for the failures callers act on, whatever the database underneath. Each has
 * a stable `code` (it survives the journal's round trip, `instanceof` does not) and keeps the database's own
 * error as `cause`.
 */
import { SagaqlError } from "../errors.ts";

/** The base class: catch it to handle any data-layer failure the driver understood. */
export class DriverError extends SagaqlError {
  readonly code: string = "DRIVER_ERROR";
  constructor(
    message: string,
    /** The entity the failed call was on. */
    readonly entity: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "DriverError";
  }
}

/** An update or delete found no row matching its `where`. */
export class RecordNotFoundError extends DriverError {
  override readonly code = "RECORD_NOT_FOUND";
  constructor(
    entity: string,
    readonly where: unknown,
    options?: { cause?: unknown },
  ) {
    super(`No ${entity} matches ${describe(where)}`, entity, options);
    this.name = "RecordNotFoundError";
  }
}

/** A write would duplicate a value of a unique field. */
export class UniqueConstraintError extends DriverError {
  override readonly code = "UNIQUE_CONSTRAINT";
  constructor(
    entity: string,
    readonly fields: readonly string[],
    options?: { cause?: unknown },
  ) {
    const which = fields.length > 0 ? fields.join(", ") : "a unique field";
    super(`Another ${entity} already has this ${which}`, entity, options);
    this.name = "UniqueConstraintError";
  }
}

/**
 * A write would break a relation: a foreign key naming no row (creating a trip for an unknown customer), or a
 * delete of a row that rows of a restricting relation still point at.
 */
export class ForeignKeyConstraintError extends DriverError {
  override readonly code = "FOREIGN_KEY_CONSTRAINT";
  constructor(entity: string, options?: { cause?: unknown }) {
    super(
      `A ${entity} write would break a relation: a foreign key names no row, or rows still point at the one deleted`,
      entity,
      options,
    );
    this.name = "ForeignKeyConstraintError";
  }
}

/** The data or filter does not fit the entity: wrong types, missing required fields, unknown fields. */
export class InvalidDataError extends DriverError {
  override readonly code = "INVALID_DATA";
  constructor(
    entity: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`Invalid ${entity} data: ${detail}`, entity, options);
    this.name = "InvalidDataError";
  }
}

/** The driver has no entity of that name. */
export class UnknownEntityError extends DriverError {
  override readonly code = "UNKNOWN_ENTITY";
  constructor(
    entity: string,
    readonly knownEntities: readonly string[],
  ) {
    const known = knownEntities.length > 0 ? `known entities: ${knownEntities.join(", ")}` : "no entities are known";
    super(`Unknown entity "${entity}" (${known})`, entity);
    this.name = "UnknownEntityError";
  }
}

function describe(where: unknown): string {
  try {
    return JSON.stringify(where) ?? String(where);
  } catch {
    return String(where);
  }
}
