import pg, { type Pool, type QueryConfig } from "pg";
import type { RunEvent } from "../saga/run-events.ts";
import type { RunSnapshot } from "../saga/run-snapshot.ts";
import type { ListRunsFilter } from "../saga/run-store.ts";
import {
  recoveryExhausted,
  type DurableRunStore,
  type JournaledEvent,
  type JournaledRun,
  type ListEventsFilter,
  type RunLease,
  type UnfinishedRunsFilter,
} from "../saga/durable-run-store.ts";
import { IdempotencyKeyConflictError, type SerializedError } from "../saga/errors.ts";
import { DEFAULT_LEASE_MS, defaultRunOwner, type DurableRunStoreOptions } from "./durable-run-store.ts";
import { checkSchemaName, preparePostgresJournal } from "./journal-schema-postgres.ts";
import { PostgresStatements } from "./postgres-run-store-statements.ts";
import { encodeEvent, eventParams, type PlanParams } from "./run-store-event-plans.ts";
import { refusal, type GuardRow } from "./run-store-refusal.ts";
import { encodeJournalValue, hashRunInput } from "./run-store-json.ts";
import { assembleRuns, toJournaledEvent, toLease, type EventRow, type LeaseRow, type RunStepRow } from "./run-store-rows.ts";

export interface PostgresRunStoreOptions extends DurableRunStoreOptions {
  /** `postgresql://…` of the database to journal in; ignored when `pool` is given. */
  connectionString?: string;
  /**
   * A pool to use instead of opening one; `close()` leaves it open. It must be the store's own, never a
   * connection inside the app's transaction: the journal must commit while that transaction is open and keep
   * what its rollback undoes.
   */
  pool?: Pool;
  /** Connections of the store's own pool. @default 10 */
  maxConnections?: number;
  /** `application_name` of the store's own connections, to find them in `pg_stat_activity`. @default "sagaql-journal" */
  applicationName?: string;
  /**
   * The PostgreSQL schema of the journal's tables (`runs`, `steps`, `events`, `journal_meta`), created if missing.
   * A schema of its own keeps them out of the app's Prisma-managed `public` schema and its migrations.
   * @default "sagaql"
   */
  schema?: string;
}

type StartedEvent = Extract<RunEvent, { type: "run-started" }>;
type LaterEvent = Exclude<RunEvent, { type: "run-started" }>;

/**
 * The run journal on PostgreSQL, through its own `pg` pool. Every `record()` is one prepared statement (a
 * data-modifying CTE), so one round trip and one commit. Leases are measured on the database's clock, which
 * all instances share.
 */
export class PostgresRunStore implements DurableRunStore {
  readonly owner: string;
  readonly leaseMs: number;
  readonly schema: string;
  readonly #pool: Pool;
  readonly #ownsPool: boolean;
  readonly #sql: PostgresStatements;

  private constructor(pool: Pool, ownsPool: boolean, schema: string, options: PostgresRunStoreOptions) {
    this.#pool = pool;
    this.#ownsPool = ownsPool;
    this.schema = schema;
    this.owner = options.owner ?? defaultRunOwner();
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.#sql = new PostgresStatements(schema);
  }

  /** Connects and brings the journal's tables to the current schema version (creating them on first use). */
  static async open(options: PostgresRunStoreOptions): Promise<PostgresRunStore> {
    const schema = checkSchemaName(options.schema ?? "sagaql");
    const pool = options.pool ?? ownPool(options);
    try {
      await preparePostgresJournal(pool, schema);
    } catch (error) {
      if (!options.pool) await pool.end();
      throw error;
    }
    return new PostgresRunStore(pool, !options.pool, schema, options);
  }

  async record(event: RunEvent): Promise<void> {
    if (event.type === "run-started") return this.#start(event);
    const query = this.#sql.forEvent(event.type);
    const params = eventParams(event);
    params.owner = this.owner;
    const result = await this.#pool.query(query.config(params));
    if (result.rowCount === 0) throw await this.#refused(event);
  }

  async getRun(runId: string): Promise<RunSnapshot | null> {
    return (await this.getJournaledRun(runId))?.run ?? null;
  }

  async listRuns(filter: ListRunsFilter = {}): Promise<RunSnapshot[]> {
    const query = this.#sql.listRuns(filter.status !== undefined, filter.workflow !== undefined);
    const params = { status: filter.status ?? null, workflow: filter.workflow ?? null, take: filter.take ?? 50 };
    return (await this.#runs(query.config(params))).map((journaled) => journaled.run);
  }

  async getJournaledRun(runId: string): Promise<JournaledRun | null> {
    return (await this.#runs(this.#sql.journaledRun.config({ id: runId })))[0] ?? null;
  }

  async findRunByIdempotencyKey(workflow: string, idempotencyKey: string): Promise<JournaledRun | null> {
    return (await this.#runs(this.#sql.runByIdempotencyKey.config({ workflow, key: idempotencyKey })))[0] ?? null;
  }

  async listUnfinishedRuns(filter: UnfinishedRunsFilter = {}): Promise<JournaledRun[]> {
    const query = filter.claimable ? this.#sql.claimableRuns : this.#sql.unfinishedRuns;
    return this.#runs(query.config({ take: filter.take ?? 100 }));
  }

  async claimRun(runId: string, owner: string, leaseMs: number): Promise<RunLease | null> {
    const result = await this.#pool.query<LeaseRow>(this.#sql.claimRun.config({ id: runId, owner, leaseMs }));
    return result.rows[0] ? toLease(result.rows[0]) : null;
  }

  async claimRecoverableRuns(owner: string, leaseMs: number, take = 10): Promise<RunLease[]> {
    const result = await this.#pool.query<LeaseRow>(this.#sql.claimRecoverableRuns.config({ owner, leaseMs, take }));
    return result.rows.map(toLease);
  }

  async renewLease(runId: string, owner: string, leaseMs: number): Promise<boolean> {
    return ((await this.#pool.query(this.#sql.renewLease.config({ id: runId, owner, leaseMs }))).rowCount ?? 0) > 0;
  }

  async releaseRun(runId: string, owner: string): Promise<boolean> {
    return ((await this.#pool.query(this.#sql.releaseRun.config({ id: runId, owner }))).rowCount ?? 0) > 0;
  }

  async parkRun(runId: string, reason: string | SerializedError): Promise<boolean> {
    const error = typeof reason === "string" ? recoveryExhausted(reason) : reason;
    const params = eventParams({ type: "run-finished", runId, status: "FAILED", error, at: new Date() });
    params.reason = error.message;
    return ((await this.#pool.query(this.#sql.parkRun.config(params))).rowCount ?? 0) > 0;
  }

  async listEvents(filter: ListEventsFilter = {}): Promise<JournaledEvent[]> {
    const query = this.#sql.listEvents(filter.runId !== undefined);
    const params = { runId: filter.runId ?? null, afterSeq: filter.afterSeq ?? 0, take: filter.take ?? 1000 };
    return (await this.#pool.query<EventRow>(query.config(params))).rows.map(toJournaledEvent);
  }

  async close(): Promise<void> {
    if (this.#ownsPool && !this.#pool.ended) await this.#pool.end();
  }

  async #runs(config: QueryConfig): Promise<JournaledRun[]> {
    return assembleRuns((await this.#pool.query<RunStepRow>(config)).rows);
  }

  async #start(event: StartedEvent): Promise<void> {
    try {
      await this.#pool.query(this.#sql.start.config(startParams(event, this.owner, this.leaseMs)));
    } catch (error) {
      throw await this.#startConflict(event, error);
    }
  }

  async #startConflict(event: StartedEvent, error: unknown): Promise<unknown> {
    const { code, constraint } = error as { code?: string; constraint?: string };
    if (code !== "23505") return error;
    if (constraint === "runs_pkey") return new Error(`Run ${event.runId} is already journaled`);
    if (constraint !== "runs_idempotency_key" || event.idempotencyKey === undefined) return error;
    const existing = await this.findRunByIdempotencyKey(event.workflow, event.idempotencyKey);
    return new IdempotencyKeyConflictError(event.workflow, event.idempotencyKey, existing?.run.id ?? "");
  }

  /** Only on the failure path: tells why the event was refused (finished, taken over, never started, no such step). */
  async #refused(event: LaterEvent): Promise<Error> {
    const rows = await this.#pool.query<GuardRow>(this.#sql.runGuard.config({ id: event.runId }));
    return refusal(event, this.owner, rows.rows[0]);
  }
}

function ownPool(options: PostgresRunStoreOptions): Pool {
  if (!options.connectionString) throw new Error("PostgresRunStore needs a connectionString or a pool");
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    application_name: options.applicationName ?? "sagaql-journal",
  });
  // An idle connection that dies (a restarted server, pg_terminate_backend) is dropped by the pool and replaced
  // on the next query; without a listener its error would crash the process.
  pool.on("error", () => undefined);
  return pool;
}

function startParams(event: StartedEvent, owner: string, leaseMs: number): PlanParams {
  return {
    id: event.runId,
    type: event.type,
    at: event.at,
    payload: encodeEvent(event),
    workflow: event.workflow,
    names: event.steps,
    input: encodeJournalValue(event.input, `the input of run ${event.runId}`),
    inputHash: hashRunInput(event.input),
    data: encodeJournalValue({ ...event.data }, `the data of run ${event.runId}`)!,
    resourceId: event.resourceId ?? null,
    idempotencyKey: event.idempotencyKey ?? null,
    transactional: event.transactional,
    owner,
    leaseMs,
  };
}
