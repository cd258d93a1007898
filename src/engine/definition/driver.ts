import type { RawQuery } from "../journal/run-journal.ts";

/**
 * The data port the engine and steps talk to. The engine never imports an ORM: the Prisma implementation
 * lives in `src/persistence`, and any other store can implement this interface.
 */

export type Row = Record<string, unknown>;

/** A comparison on one field; a bare value means equality. */
export interface FieldFilter {
  equals?: unknown;
  not?: unknown;
  in?: readonly unknown[];
  notIn?: readonly unknown[];
  lt?: unknown;
  lte?: unknown;
  gt?: unknown;
  gte?: unknown;
  contains?: string;
  startsWith?: string;
  endsWith?: string;
}

/** Conditions on fields, all of which must hold (Prisma's `where` subset). */
export type Where = Record<string, unknown>;

/** Atomic arithmetic on a numeric field, evaluated by the database (no read-modify-write race). */
export interface NumericUpdate {
  increment?: number;
  decrement?: number;
}

export type SortOrder = "asc" | "desc";

export interface FindManyOptions {
  where?: Where;
  orderBy?: Record<string, SortOrder> | Array<Record<string, SortOrder>>;
  take?: number;
  skip?: number;
}

export interface TransactionOptions {
  /** Longest time, in ms, the whole transaction may stay open. @default 30000 */
  timeout?: number;
  /** Longest time, in ms, to wait for a connection to start it. @default 10000 */
  maxWait?: number;
}

export interface Driver {
  create<T extends Row = Row>(entity: string, data: Row): Promise<T>;
  /** The first row matching `where`, or null. */
  findOne<T extends Row = Row>(entity: string, where: Where): Promise<T | null>;
  findMany<T extends Row = Row>(entity: string, options?: FindManyOptions): Promise<T[]>;
  /** Updates the one row matching a unique `where`; throws when there is none. */
  update<T extends Row = Row>(entity: string, where: Where, data: Row): Promise<T>;
  /** Updates every row matching `where`; returns how many changed. A guard in `where` makes it a compare-and-set. */
  updateMany(entity: string, where: Where, data: Row): Promise<number>;
  /** Deletes the one row matching a unique `where` and returns it; throws when there is none. */
  delete<T extends Row = Row>(entity: string, where: Where): Promise<T>;
  count(entity: string, where?: Where): Promise<number>;
  /**
   * Runs `fn` in one database transaction: every call on the `tx` driver it receives commits together, or,
   * when `fn` throws, none does. Calling `transaction` on `tx` reuses the same transaction.
   */
  transaction<T>(fn: (tx: Driver) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** True on a driver bound to an open transaction. */
  readonly inTransaction: boolean;
  /**
   * Runs `fn` so that, when it throws, only its own writes are undone and the enclosing transaction stays usable
   * (a SAVEPOINT; on PostgreSQL a failed statement otherwise aborts the whole transaction). The engine wraps each
   * attempt of a retried step of a transactional workflow in one. Outside a transaction it is `transaction(fn)`.
   */
  savepoint<T>(fn: (tx: Driver) => Promise<T>): Promise<T>;
  /**
   * Records that step `step` of run `runId` committed, with its `output`, in the framework table
   * `sagaql_step_checkpoints` (unique on run and step). Call it on the transaction driver that made the step's
   * writes, so both commit together. Returns false, writing nothing, when that step already has a checkpoint: a
   * duplicate execution won the race (the call waits for a concurrent one to commit), and the caller must roll
   * back and use `readStepCheckpoint` instead.
   */
  writeStepCheckpoint(runId: string, step: string, output: unknown): Promise<boolean>;
  /** The committed checkpoint of a step, or null when there is none. */
  readStepCheckpoint(runId: string, step: string): Promise<{ output: unknown } | null>;
  /**
   * Raw SQL on this driver's connection (its transaction's, on a transaction driver), when the database speaks
   * PostgreSQL: a journal kept in the same database writes a step's events in the step's own transaction with it.
   */
  readonly rawQuery?: RawQuery | undefined;
}
