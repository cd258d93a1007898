import type { FieldMap, InferCreate, InferEntity, InferUpdate } from "./infer.ts";
import type { Row } from "../engine/definition/driver.ts";

/** An entity definition as the entity steps see it: its name and its stored columns, foreign keys included. */
interface DefinedEntity<F extends FieldMap> {
  readonly kind: "entity";
  readonly name: string;
  readonly fields: F;
}

/** The row of an entity step's entity: typed from a definition (`customerId: string` included), any row for a name. */
export type EntityRowOf<E> = E extends DefinedEntity<infer F> ? InferEntity<F> : Row;

/** What creating a row of it takes: required fields and foreign keys must be there, each of its own type. */
export type EntityCreateOf<E> = E extends DefinedEntity<infer F> ? InferCreate<F> : Row;

/** What updating a row of it takes: any of its fields, each of its own type. */
export type EntityUpdateOf<E> = E extends DefinedEntity<infer F> ? InferUpdate<F> : Row;
