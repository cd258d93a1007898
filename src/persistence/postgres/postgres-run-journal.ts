import pg, { type Pool, type QueryConfig } from "pg";
import type { RunControlRequest, RunEvent } from "../../engine/journal/run-events.ts";
import type { RunSnapshot } from "../../engine/journal/run-snapshot.ts";
import { visibilityParams, type ListRunsFilter } from "../../engine/journal/run-journal.ts";
import {
  recoveryExhausted,
  type DurableRunJournal,
  type JournaledEvent,
  type JournaledRun,
  type ListEventsFilter,
  type RunLease,
  type UnfinishedRunsFilter,
} from "../../engine/journal/durable-run-journal.ts";
import { IdempotencyKeyConflictError, ResourceHeldError, type SerializedError } from "../../engine/errors.ts";
import { waitOutTransient } from "../../engine/execution/wait-out-transient.ts";
import { executingRunsOf, stopExecutingRuns } from "../../engine/control/run-signals.ts";
import { DEFAULT_LEASE_MS, defaultRunOwner, type DurableRunJournalOptions } from "../durable-run-journal-options.ts";
import { checkSchemaName, preparePostgresJournal } from "./journal-schema-postgres.ts";
import { PostgresEventAnnouncer } from "./postgres-event-announcer.ts";
import { refusalDetail, sqlStateOf } from "./postgres-record-function.ts";
import { PostgresStatements, runEventsChannel } from "./postgres-run-journal-statements.ts";
import { encodeEvent, eventParams, type PlanParams } from "../run-journal-event-plans.ts";
import { refusal } from "../run-journal-refusal.ts";
import { encodeJournalValue, hashRunInput } from "../run-journal-json.ts";
import {
  assembleRuns,
  decodeCancelRequest,
  toJournaledEvent,
  toLease,
  type EventRow,
  type LeaseRow,
  type RunStepRow,
} from "../run-journal-rows.ts";

/** How long opening the journal waits out a database that drops its connections (it is restarting), in ms. */
const OPEN_WAIT_MS = 30_000;

export interface PostgresRunJournalOptions extends DurableRunJournalOptions {
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
  /**
   * How each journaled event is announced on `channel` (`pg_notify`, payload `<runId>:<seq>`) for live progress:
   *
   * - `"after-commit"`: once its write committed, batched with other writes' events into one notifying transaction
   *   at a time (see postgres-event-announcer.ts). PostgreSQL serializes the commits of every notifying transaction
   *   in the cluster, each through its own WAL flush, so notifying inside each write would make concurrent writes
   *   queue. An announcement can be lost when the process dies right after a commit; listeners catch up with
   *   `listEvents({ afterSeq })`.
   * - `"in-transaction"`: inside the write itself: never lost, but concurrent writes commit one at a time.
   * - `"off"`: no announcements (parking a run is always announced).
   *
   * @default "after-commit"
   */
  announce?: "after-commit" | "in-transaction" | "off";
}

/**
 * Runs `sql` (parameters `$1…$n`) on a connection its caller controls — typically inside the caller's open
 * transaction — and returns the rows. A Prisma client or transaction client fits as
 * `(sql, values) => tx.$queryRawUnsafe(sql, ...values)`.
 */
export type JournalQuery = (sql: string, values: readonly unknown[]) => Promise<ReadonlyArray<Record<string, unknown>>>;

/** Events written inside a caller's transaction: announce them once that transaction has committed. */
export interface RecordedBatch {
  announce(): void;
}

type StartedEvent = Extract<RunEvent, { type: "run-started" }>;
type LaterEvent = Exclude<RunEvent, { type: "run-started" }>;

/**
 * The run journal on PostgreSQL, through its own `pg` pool. Every `record()` and `recordAll()` is one call of a
 * server-side function (see postgres-record-function.ts) through a prepared statement, so one round trip and one
 * commit however many events it carries — or none of its own, through `recordAllThrough`, inside a transaction of
 * the app on the same database. Each journaled event is announced on the channel `runEventsChannel`
 * (`<schema>_run_events`, payload `<runId>:<seq>`), as the `announce` option says. Leases are measured on the
 * database's clock, which all instances share.
 */
export class PostgresRunJournal implements DurableRunJournal {
  readonly owner: string;
  readonly leaseMs: number;
  readonly schema: string;
  /** The `LISTEN` channel on which every journaled event is announced as `<runId>:<seq>`, once committed. */
  readonly channel: string;
  /** A random id the journal got when it was created: `reaches` compares it with what another connection reads. */
  readonly journalId: string;
  readonly #pool: Pool;
  readonly #ownsPool: boolean;
  readonly #sql: PostgresStatements;
  readonly #announcer: PostgresEventAnnouncer | undefined;

  private constructor(
    pool: Pool,
    ownsPool: boolean,
    sql: PostgresStatements,
    journalId: string,
    options: PostgresRunJournalOptions & { schema: string },
  ) {
    const schema = options.schema;
    this.journalId = journalId;
    this.#pool = pool;
    this.#ownsPool = ownsPool;
    this.schema = schema;
    this.channel = runEventsChannel(schema);
    this.owner = options.owner ?? defaultRunOwner();
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.#sql = sql;
    this.#announcer =
      (options.announce ?? "after-commit") === "after-commit"
        ? new PostgresEventAnnouncer(pool, this.channel)
        : undefined;
  }

  /** Connects and brings the journal's tables to the current schema version (creating them on first use). */
  static async open(options: PostgresRunJournalOptions): Promise<PostgresRunJournal> {
    const schema = checkSchemaName(options.schema ?? "sagaql");
    const pool = options.pool ?? ownPool(options);
    const sql = new PostgresStatements(schema, options.announce === "in-transaction");
    let journalId: string;
    try {
      // Both are safe to do again: a connection lost meanwhile (a restarting database) is waited out, not fatal.
      journalId = await waitOutTransient(
        async () => {
          await preparePostgresJournal(pool, schema, [sql.recordFunction]);
          return readJournalId(pool, sql);
        },
        { forMs: OPEN_WAIT_MS },
      );
    } catch (error) {
      if (!options.pool) await pool.end();
      throw error;
    }
    return new PostgresRunJournal(pool, !options.pool, sql, journalId, { ...options, schema });
  }

  record(event: RunEvent): Promise<void> {
    return this.recordAll([event]);
  }

  /** All of `events` or none: a refused event (finished run, lost lease, unknown step) rolls the batch back. */
  async recordAll(events: readonly RunEvent[]): Promise<void> {
    if (events.length === 0) return;
    const batch = encodeBatch(events);
    let seqs: string[];
    try {
      const result = await this.#pool.query<{ seqs: string[] }>(
        this.#sql.recordEvents.config({ owner: this.owner, leaseMs: this.leaseMs, events: batch }),
      );
      seqs = result.rows[0]!.seqs;
    } catch (error) {
      throw await this.#failure(events, error);
    }
    this.#announcer?.announce(events.map((event, i) => `${event.runId}:${seqs[i]}`));
  }

  /**
   * `recordAll` through `query`, inside a transaction of the caller's on this journal's database (a database
   * step's own, say): the events commit or roll back with that transaction's writes, and cost no commit of their
   * own. A refused event throws here, as from `recordAll`, and leaves the caller's transaction aborted: it must roll
   * back (a run another instance took over must not commit its step). Call `announce()` on the result after the
   * commit, never before: a listener woken earlier would not find the events yet. Check `reaches(query)` first.
   */
  async recordAllThrough(query: JournalQuery, events: readonly RunEvent[]): Promise<RecordedBatch> {
    if (events.length === 0) return { announce: () => undefined };
    const statement = this.#sql.recordEvents.positional({
      owner: this.owner,
      leaseMs: this.leaseMs,
      events: encodeBatch(events),
    });
    let seqs: unknown[];
    try {
      seqs = (await query(statement.text, statement.values))[0]!.seqs as unknown[];
    } catch (error) {
      throw await this.#failure(events, error);
    }
    return { announce: () => this.#announcer?.announce(events.map((event, i) => `${event.runId}:${String(seqs[i])}`)) };
  }

  /**
   * Whether `query` reaches this very journal (same database, same schema), so `recordAllThrough` may use it.
   * Run it outside any transaction: on a database without the journal the failed read would abort one.
   */
  async reaches(query: JournalQuery): Promise<boolean> {
    const statement = this.#sql.journalId.positional({});
    const rows = await query(statement.text, statement.values).catch(() => []);
    return rows[0]?.value === this.journalId;
  }

  async getRun(runId: string): Promise<RunSnapshot | null> {
    return (await this.getJournaledRun(runId))?.run ?? null;
  }

  async listRuns(filter: ListRunsFilter = {}): Promise<RunSnapshot[]> {
    const created = { after: filter.createdAfter !== undefined, before: filter.createdBefore !== undefined };
    const query = this.#sql.listRuns(
      filter.status !== undefined,
      filter.workflow !== undefined,
      filter.visible !== undefined,
      created,
    );
    const visible = filter.visible ? visibilityParams(filter.visible) : {};
    const bounds = {
      createdAfter: filter.createdAfter?.getTime() ?? null,
      createdBefore: filter.createdBefore?.getTime() ?? null,
    };
    const params = {
      status: filter.status ?? null,
      workflow: filter.workflow ?? null,
      take: filter.take ?? 50,
      skip: filter.skip ?? 0,
      ...bounds,
      ...visible,
    };
    return (await this.#runs(query.config(params))).map((journaled) => journaled.run);
  }

  async getJournaledRun(runId: string): Promise<JournaledRun | null> {
    return (await this.#runs(this.#sql.journaledRun.config({ id: runId })))[0] ?? null;
  }

  async findRunHolding(resourceKey: string): Promise<string | null> {
    const rows = (await this.#pool.query<{ id: string }>(this.#sql.runHolding.config({ key: resourceKey }))).rows;
    return rows[0]?.id ?? null;
  }

  async findRunByIdempotencyKey(workflow: string, idempotencyKey: string): Promise<JournaledRun | null> {
    return (await this.#runs(this.#sql.runByIdempotencyKey.config({ workflow, key: idempotencyKey })))[0] ?? null;
  }

  async listUnfinishedRuns(filter: UnfinishedRunsFilter = {}): Promise<JournaledRun[]> {
    const query = filter.claimable ? this.#sql.claimableRuns : this.#sql.unfinishedRuns;
    return this.#runs(query.config({ take: filter.take ?? 100 }));
  }

  async claimRun(runId: string, owner: string, leaseMs: number, goneOwner?: string): Promise<RunLease | null> {
    const result = await this.#pool.query<LeaseRow>(
      this.#sql.claimRun.config({ id: runId, owner, leaseMs, goneOwner: goneOwner ?? null }),
    );
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

  async requestCancel(runId: string, request: RunControlRequest): Promise<boolean> {
    const params = eventParams({ type: "run-cancel-requested", runId, ...request, at: new Date() });
    return ((await this.#pool.query(this.#sql.requestCancel.config(params))).rowCount ?? 0) > 0;
  }

  async cancelRequests(runIds: readonly string[]): Promise<Map<string, RunControlRequest>> {
    if (runIds.length === 0) return new Map();
    const result = await this.#pool.query<{ id: string; cancel_request: string }>(
      this.#sql.cancelRequests.config({ ids: runIds }),
    );
    return new Map(result.rows.map((row) => [row.id, decodeCancelRequest(row.cancel_request)!]));
  }

  async reopenRun(
    event: Extract<RunEvent, { type: "run-reopened" }>,
    owner: string,
    lastSeq: number,
  ): Promise<RunLease | null> {
    const params = { ...eventParams(event), owner, lastSeq, leaseMs: this.leaseMs };
    const reopened = ((await this.#pool.query(this.#sql.reopenRun[event.action].config(params))).rowCount ?? 0) > 0;
    return reopened ? this.claimRun(event.runId, owner, this.leaseMs) : null;
  }

  async pruneFinishedRuns(endedBefore: Date, take: number): Promise<number> {
    return (await this.#pool.query(this.#sql.pruneRuns.config({ before: endedBefore, take }))).rowCount ?? 0;
  }

  async listEvents(filter: ListEventsFilter = {}): Promise<JournaledEvent[]> {
    const query = this.#sql.listEvents(filter.runId !== undefined);
    const params = { runId: filter.runId ?? null, afterSeq: filter.afterSeq ?? 0, take: filter.take ?? 1000 };
    return (await this.#pool.query<EventRow>(query.config(params))).rows.map(toJournaledEvent);
  }

  /** Stops the runs this store's owner executes here first (see `stopExecutingRuns`): recovery resumes them. */
  async close(): Promise<void> {
    if (!this.#pool.ended && executingRunsOf(this.owner).length > 0) await stopExecutingRuns(this.owner);
    // Announcements still queued go out first: they need the pool.
    await this.#announcer?.drain();
    if (this.#ownsPool && !this.#pool.ended) await this.#pool.end();
  }

  async #runs(config: QueryConfig): Promise<JournaledRun[]> {
    return assembleRuns((await this.#pool.query<RunStepRow>(config)).rows);
  }

  /** The error to report for a failed batch: why the journal refused an event, or what the database said. */
  async #failure(events: readonly RunEvent[], error: unknown): Promise<unknown> {
    const detail = refusalDetail(error);
    if (detail) {
      const event = events[detail.index] as LaterEvent;
      return refusal(event, this.owner, detail.found ? { status: detail.status!, owner: detail.owner } : undefined);
    }
    const started = events.find((event): event is StartedEvent => event.type === "run-started");
    return started ? this.#startConflict(started, error) : error;
  }

  async #startConflict(event: StartedEvent, error: unknown): Promise<unknown> {
    const { code, constraint } = sqlStateOf(error);
    if (code !== "23505") return error;
    if (constraint === "runs_pkey") return new Error(`Run ${event.runId} is already journaled`);
    if (constraint === "runs_active_resource" && event.resourceKey !== undefined) {
      return new ResourceHeldError(event.resourceKey, await this.findRunHolding(event.resourceKey));
    }
    if (constraint !== "runs_idempotency_key" || event.idempotencyKey === undefined) return error;
    const existing = await this.findRunByIdempotencyKey(event.workflow, event.idempotencyKey);
    return new IdempotencyKeyConflictError(event.workflow, event.idempotencyKey, existing?.run.id ?? "");
  }
}

function ownPool(options: PostgresRunJournalOptions): Pool {
  if (!options.connectionString) throw new Error("PostgresRunJournal needs a connectionString or a pool");
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

/** The journal's id, given to it by the first store that opens it (of concurrent openers, one insert wins). */
async function readJournalId(pool: Pool, sql: PostgresStatements): Promise<string> {
  const read = async () => (await pool.query<{ value: string }>(sql.journalId.config({}))).rows[0]?.value;
  const existing = await read();
  if (existing !== undefined) return existing;
  await pool.query(sql.ensureJournalId.config({}));
  // A read of its own: the insert's statement cannot see a row a concurrent opener committed first.
  return (await read())!;
}

/** The function's batch argument. Encoding comes first: a value that cannot be journaled fails before anything is sent. */
function encodeBatch(events: readonly RunEvent[]): string {
  return JSON.stringify(
    events.map((event) => (event.type === "run-started" ? startParams(event) : eventParams(event))),
  );
}

/** Bind values of `run-started`; the owner and lease length are the function's own arguments. */
function startParams(event: StartedEvent): PlanParams {
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
    resourceKey: event.resourceKey ?? null,
    transactional: event.transactional,
  };
}
