import type { Driver, FindManyOptions, Row, TransactionOptions, Where } from "../../engine/definition/driver.ts";
import type { RawQuery } from "../../engine/journal/run-journal.ts";
import { UnknownEntityError } from "../../engine/definition/driver-errors.ts";
import type { PrismaProvider } from "./prisma-provider.ts";
import { mapPrismaError } from "./map-prisma-error.ts";
import { StepCheckpointSql, type RawSqlClient } from "./step-checkpoint-sql.ts";

/**
 * The part of a generated PrismaClient the driver needs, typed loosely on purpose: the framework must not
 * depend on one app's generated client, and every app's client (or interactive-transaction client) fits.
 */
export interface PrismaClientLike {
  $transaction(...args: never[]): unknown;
}

export interface PrismaDriverOptions {
  /**
   * Entity names the driver serves; each must have a delegate of that name on the client (Prisma names
   * delegates after the model, first letter lowercased, which is the entity name).
   * @default every model of the client's schema
   */
  entities?: readonly string[];
  /** Used by `transaction()` when its caller passes no options. @default { timeout: 30000, maxWait: 10000 } */
  transaction?: TransactionOptions;
  /** The database behind the client, for the driver's own SQL (checkpoints, savepoints). @default the client's provider */
  provider?: PrismaProvider;
}

/** How the driver calls a model delegate; the generated delegates accept these argument shapes. */
interface Delegate {
  create(args: { data: Row }): Promise<Row>;
  findFirst(args: { where: Where }): Promise<Row | null>;
  findMany(args: FindManyOptions): Promise<Row[]>;
  update(args: { where: Where; data: Row }): Promise<Row>;
  updateMany(args: { where: Where; data: Row }): Promise<{ count: number }>;
  delete(args: { where: Where }): Promise<Row>;
  count(args: { where?: Where }): Promise<number>;
}

type InteractiveTransaction = <T>(fn: (tx: PrismaClientLike) => Promise<T>, options: TransactionOptions) => Promise<T>;

const DEFAULT_TRANSACTION: Required<TransactionOptions> = { timeout: 30_000, maxWait: 10_000 };
const FRAMEWORK_MODEL_PREFIX = "Sagaql";

/** A `Driver` over a Prisma client: one delegate per entity, Prisma errors mapped to driver errors. */
export class PrismaDriver implements Driver {
  readonly inTransaction: boolean;
  readonly #client: PrismaClientLike;
  readonly #entities: ReadonlySet<string>;
  readonly #transaction: Required<TransactionOptions>;
  readonly #provider: PrismaProvider;
  readonly #checkpoints: StepCheckpointSql;

  constructor(client: PrismaClientLike, options: PrismaDriverOptions = {}) {
    this.#client = client;
    this.#entities = new Set(options.entities ?? modelEntities(client));
    this.#transaction = { ...DEFAULT_TRANSACTION, ...options.transaction };
    this.#provider = options.provider ?? clientProvider(client);
    this.#checkpoints = new StepCheckpointSql(this.#provider);
    this.inTransaction = false;
  }

  /** The entity names this driver serves. */
  get entities(): readonly string[] {
    return [...this.#entities];
  }

  create<T extends Row = Row>(entity: string, data: Row): Promise<T> {
    return this.#call(entity, undefined, (d) => d.create({ data })) as Promise<T>;
  }

  findOne<T extends Row = Row>(entity: string, where: Where): Promise<T | null> {
    return this.#call(entity, where, (d) => d.findFirst({ where })) as Promise<T | null>;
  }

  findMany<T extends Row = Row>(entity: string, options: FindManyOptions = {}): Promise<T[]> {
    return this.#call(entity, options.where, (d) => d.findMany(options)) as Promise<T[]>;
  }

  update<T extends Row = Row>(entity: string, where: Where, data: Row): Promise<T> {
    return this.#call(entity, where, (d) => d.update({ where, data })) as Promise<T>;
  }

  async updateMany(entity: string, where: Where, data: Row): Promise<number> {
    // One UPDATE … WHERE statement: the guard and the arithmetic are evaluated together by the database.
    const result = await this.#call(entity, where, (d) => d.updateMany({ where, data }));
    return result.count;
  }

  delete<T extends Row = Row>(entity: string, where: Where): Promise<T> {
    return this.#call(entity, where, (d) => d.delete({ where })) as Promise<T>;
  }

  count(entity: string, where?: Where): Promise<number> {
    return this.#call(entity, where, (d) => d.count(where ? { where } : {}));
  }

  async transaction<T>(fn: (tx: Driver) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const run = (this.#client.$transaction as unknown as InteractiveTransaction).bind(this.#client);
    const settings: PrismaDriverOptions = { entities: [...this.#entities], transaction: this.#transaction, provider: this.#provider };
    return run((tx) => fn(new TransactionDriver(tx, settings)), { ...this.#transaction, ...options });
  }

  savepoint<T>(fn: (tx: Driver) => Promise<T>): Promise<T> {
    return this.transaction(fn);
  }

  writeStepCheckpoint(runId: string, step: string, output: unknown): Promise<boolean> {
    return this.#checkpoints.write(this.raw, runId, step, output);
  }

  readStepCheckpoint(runId: string, step: string): Promise<{ output: unknown } | null> {
    return this.#checkpoints.read(this.raw, runId, step);
  }

  get rawQuery(): RawQuery | undefined {
    if (this.#provider !== "postgresql") return undefined;
    const raw = this.raw;
    return (sql, values) => raw.$queryRawUnsafe<Array<Record<string, unknown>>>(sql, ...values);
  }

  /** The client's raw SQL, for statements the model delegates cannot express. */
  protected get raw(): RawSqlClient {
    return this.#client as unknown as RawSqlClient;
  }

  async #call<R>(entity: string, where: unknown, operation: (delegate: Delegate) => Promise<R>): Promise<R> {
    const delegate = this.#delegate(entity);
    try {
      return await operation(delegate);
    } catch (error) {
      throw mapPrismaError(error, entity, where);
    }
  }

  #delegate(entity: string): Delegate {
    const delegate = this.#entities.has(entity) ? (this.#client as unknown as Record<string, unknown>)[entity] : undefined;
    if (typeof delegate !== "object" || delegate === null) throw new UnknownEntityError(entity, [...this.#entities].sort());
    return delegate as Delegate;
  }
}

/** The driver a transaction's callback receives: same operations, bound to the transaction client. */
class TransactionDriver extends PrismaDriver {
  override readonly inTransaction = true;
  #savepoints = 0;

  /** Already in one: `fn` joins it, so its writes commit or roll back with everything else. */
  override transaction<T>(fn: (tx: Driver) => Promise<T>): Promise<T> {
    return fn(this);
  }

  override async savepoint<T>(fn: (tx: Driver) => Promise<T>): Promise<T> {
    const name = `sagaql_sp_${++this.#savepoints}`;
    await this.raw.$executeRawUnsafe(`SAVEPOINT ${name}`);
    let value: T;
    try {
      value = await fn(this);
    } catch (error) {
      // Undoes fn's writes and, on PostgreSQL, clears the "transaction is aborted" state a failed statement left.
      await this.raw.$executeRawUnsafe(`ROLLBACK TO SAVEPOINT ${name}`).catch(() => undefined);
      throw error;
    }
    await this.raw.$executeRawUnsafe(`RELEASE SAVEPOINT ${name}`);
    return value;
  }
}

/**
 * Model names from the client's runtime data model, as entity (delegate) names. The framework's own models
 * (`Sagaql…`, such as the step checkpoints) are not entities.
 */
function modelEntities(client: PrismaClientLike): string[] {
  const dataModel = (client as { _runtimeDataModel?: { models?: Record<string, unknown> } })._runtimeDataModel;
  return Object.keys(dataModel?.models ?? {})
    .filter((model) => !model.startsWith(FRAMEWORK_MODEL_PREFIX))
    .map((model) => model.charAt(0).toLowerCase() + model.slice(1));
}

function clientProvider(client: PrismaClientLike): PrismaProvider {
  return (client as { _activeProvider?: string })._activeProvider === "postgresql" ? "postgresql" : "sqlite";
}
