/**
 * A real driver whose transactions the database refuses to commit: the callback runs to its end on the real
 * transaction, then the transaction fails the way a commit refused by a deferred constraint does, so the real
 * database rolls every write back. Everything outside a transaction goes straight to the real driver.
 */
import type { Driver, FindManyOptions, Row, TransactionOptions, Where } from "../../src/engine/definition/driver.ts";
import type { RawQuery } from "../../src/engine/journal/run-journal.ts";

/** What SQLite answers a COMMIT that leaves a deferred foreign key violated: not an error a retry can pass. */
export function deferredForeignKeyViolation(): Error {
  return Object.assign(new Error("FOREIGN KEY constraint failed"), { code: "SQLITE_CONSTRAINT_FOREIGNKEY" });
}

export class CommitRefusingDriver implements Driver {
  readonly inTransaction = false;
  /** How many transactions reached their commit; each was refused. */
  refusedCommits = 0;

  constructor(
    private readonly real: Driver,
    private readonly refusal: () => Error = deferredForeignKeyViolation,
  ) {}

  transaction<T>(fn: (tx: Driver) => Promise<T>, options?: TransactionOptions): Promise<T> {
    return this.real.transaction(async (tx) => {
      await fn(tx);
      this.refusedCommits += 1;
      throw this.refusal();
    }, options);
  }

  savepoint<T>(fn: (tx: Driver) => Promise<T>): Promise<T> {
    return this.transaction(fn);
  }

  create<T extends Row = Row>(entity: string, data: Row): Promise<T> {
    return this.real.create<T>(entity, data);
  }
  findOne<T extends Row = Row>(entity: string, where: Where): Promise<T | null> {
    return this.real.findOne<T>(entity, where);
  }
  findMany<T extends Row = Row>(entity: string, options?: FindManyOptions): Promise<T[]> {
    return this.real.findMany<T>(entity, options);
  }
  update<T extends Row = Row>(entity: string, where: Where, data: Row): Promise<T> {
    return this.real.update<T>(entity, where, data);
  }
  updateMany(entity: string, where: Where, data: Row): Promise<number> {
    return this.real.updateMany(entity, where, data);
  }
  delete<T extends Row = Row>(entity: string, where: Where): Promise<T> {
    return this.real.delete<T>(entity, where);
  }
  count(entity: string, where?: Where): Promise<number> {
    return this.real.count(entity, where);
  }
  writeStepCheckpoint(runId: string, step: string, output: unknown): Promise<boolean> {
    return this.real.writeStepCheckpoint(runId, step, output);
  }
  readStepCheckpoint(runId: string, step: string): Promise<{ output: unknown } | null> {
    return this.real.readStepCheckpoint(runId, step);
  }
  get rawQuery(): RawQuery | undefined {
    return this.real.rawQuery;
  }
}
