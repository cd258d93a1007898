import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Sqlite, { type Database, type Statement } from "better-sqlite3";
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
import { executingRunsOf, stopExecutingRuns } from "../../engine/control/run-signals.ts";
import { DEFAULT_LEASE_MS, defaultRunOwner, type DurableRunJournalOptions } from "../durable-run-journal-options.ts";
import { refusal, type GuardRow } from "../run-journal-refusal.ts";
import { prepareSqliteJournal } from "./journal-schema-sqlite.ts";
import { eventParams, encodeEvent } from "../run-journal-event-plans.ts";
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
import { SqliteStatements, sqliteParams } from "./sqlite-run-journal-statements.ts";

export interface SqliteRunJournalOptions extends DurableRunJournalOptions {
  /**
   * The journal's own database file, never the app's: a transactional workflow holds the app file's write lock
   * while it runs, and the journal must be written meanwhile and keep what the rollback undoes. Its directory is
   * created if missing. `openRunJournal` derives it from DATABASE_URL (`data/app.db` → `data/app.journal.db`).
   */
  filename: string;
  /** How long a write waits for another process holding the file's write lock, in ms. @default 5000 */
  busyTimeoutMs?: number;
  /**
   * `FULL` syncs the WAL on every commit: a recorded event survives a power loss, which is what `record`
   * promises. `NORMAL` survives a crash of the process but not of the machine, and is faster. @default "FULL"
   */
  synchronous?: "FULL" | "NORMAL";
}

const SYNCHRONOUS_LEVELS = ["OFF", "NORMAL", "FULL", "EXTRA"];
/** Thrown inside a parking (or run-control) transaction to roll its event row back when the run's guard refuses. */
const NOT_PARKED = Symbol("not parked");

type StartedEvent = Extract<RunEvent, { type: "run-started" }>;
type LaterEvent = Exclude<RunEvent, { type: "run-started" }>;
type ReopenedEvent = Extract<RunEvent, { type: "run-reopened" }>;

/**
 * The run journal on SQLite (better-sqlite3), in WAL mode so readers never block the writer. Several processes
 * on one machine may share the file (WAL needs shared memory: not on a network file system): every write is
 * one short `BEGIN IMMEDIATE` transaction, so they take turns, waiting up to `busyTimeoutMs`.
 */
export class SqliteRunJournal implements DurableRunJournal {
  readonly owner: string;
  readonly leaseMs: number;
  readonly filename: string;
  readonly #db: Database;
  readonly #sql: SqliteStatements;
  readonly #record: (events: readonly RunEvent[]) => void;
  readonly #park: (runId: string, error: SerializedError) => boolean;
  readonly #prune: (before: number, take: number) => number;
  readonly #cancel: (runId: string, request: RunControlRequest) => boolean;
  readonly #reopen: (event: ReopenedEvent, owner: string, lastSeq: number) => boolean;

  /** Same as the constructor, for symmetry with `PostgresRunJournal.open`. */
  static async open(options: SqliteRunJournalOptions): Promise<SqliteRunJournal> {
    return new SqliteRunJournal(options);
  }

  /** Opens (creating if needed) the journal file and brings its tables to the current schema version. */
  constructor(options: SqliteRunJournalOptions) {
    this.filename = options.filename;
    this.owner = options.owner ?? defaultRunOwner();
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    if (options.filename !== ":memory:") mkdirSync(dirname(options.filename), { recursive: true });
    this.#db = new Sqlite(options.filename);
    try {
      prepareSqliteJournal(this.#db, {
        busyTimeoutMs: options.busyTimeoutMs ?? 5000,
        synchronous: options.synchronous ?? "FULL",
      });
      this.#sql = new SqliteStatements(this.#db);
    } catch (error) {
      this.#db.close();
      throw error;
    }
    // One IMMEDIATE transaction per call, however many events: one commit (and one sync), all or nothing.
    const apply = this.#db.transaction((events: readonly RunEvent[]) => {
      for (const event of events) {
        if (event.type === "run-started") this.#start(event);
        else this.#apply(event);
      }
    });
    this.#record = apply.immediate;
    this.#park = this.#db.transaction((runId: string, error: SerializedError) =>
      this.#parkInTransaction(runId, error),
    ).immediate;
    this.#prune = this.#db.transaction((before: number, take: number) => {
      const ids = JSON.stringify(this.#sql.prunableRuns.all({ before, take }));
      this.#sql.pruneEvents.run({ ids });
      return this.#sql.pruneRuns.run({ ids }).changes;
    }).immediate;
    this.#cancel = this.#db.transaction((runId: string, request: RunControlRequest) =>
      this.#writeGuarded(
        { type: "run-cancel-requested", runId, ...request, at: new Date() },
        this.#sql.requestCancel,
        {},
      ),
    ).immediate;
    this.#reopen = this.#db.transaction((event: ReopenedEvent, owner: string, lastSeq: number) => {
      this.#writeGuarded(event, this.#sql.reopenRun, { owner, lastSeq, leaseMs: this.leaseMs, now: Date.now() });
      this.#sql.reopenSteps[event.action].run({ id: event.runId });
      return true;
    }).immediate;
  }

  /** The better-sqlite3 API is synchronous: the write is committed (and synced) before the promise settles. */
  async record(event: RunEvent): Promise<void> {
    this.#record([event]);
  }

  /** All of `events` or none: a refused event (finished run, lost lease, unknown step) rolls the batch back. */
  async recordAll(events: readonly RunEvent[]): Promise<void> {
    if (events.length > 0) this.#record(events);
  }

  async getRun(runId: string): Promise<RunSnapshot | null> {
    return (await this.getJournaledRun(runId))?.run ?? null;
  }

  async listRuns(filter: ListRunsFilter = {}): Promise<RunSnapshot[]> {
    const created = { after: filter.createdAfter !== undefined, before: filter.createdBefore !== undefined };
    const statement = this.#sql.listRuns(
      filter.status !== undefined,
      filter.workflow !== undefined,
      filter.visible !== undefined,
      created,
    );
    const visible = filter.visible ? visibilityParams(filter.visible) : {};
    const bounds = {
      ...(created.after ? { createdAfter: filter.createdAfter!.getTime() } : {}),
      ...(created.before ? { createdBefore: filter.createdBefore!.getTime() } : {}),
    };
    const params = {
      status: filter.status,
      workflow: filter.workflow,
      take: filter.take ?? 50,
      skip: filter.skip ?? 0,
      ...bounds,
      ...visible,
    };
    const rows = statement.all(params) as RunStepRow[];
    return assembleRuns(rows).map((journaled) => journaled.run);
  }

  async getJournaledRun(runId: string): Promise<JournaledRun | null> {
    return assembleRuns(this.#sql.journaledRun.all({ id: runId }) as RunStepRow[])[0] ?? null;
  }

  async findRunByIdempotencyKey(workflow: string, idempotencyKey: string): Promise<JournaledRun | null> {
    return (
      assembleRuns(this.#sql.runByIdempotencyKey.all({ workflow, key: idempotencyKey }) as RunStepRow[])[0] ?? null
    );
  }

  async findRunHolding(resourceKey: string): Promise<string | null> {
    return (this.#sql.runHolding.get(resourceKey) as string | undefined) ?? null;
  }

  async listUnfinishedRuns(filter: UnfinishedRunsFilter = {}): Promise<JournaledRun[]> {
    const statement = filter.claimable ? this.#sql.claimableRuns : this.#sql.unfinishedRuns;
    return assembleRuns(statement.all({ take: filter.take ?? 100, now: Date.now() }) as RunStepRow[]);
  }

  async claimRun(runId: string, owner: string, leaseMs: number, goneOwner?: string): Promise<RunLease | null> {
    const row = this.#sql.claimRun.get({ id: runId, owner, leaseMs, now: Date.now(), goneOwner: goneOwner ?? null }) as
      LeaseRow | undefined;
    return row ? toLease(row) : null;
  }

  async claimRecoverableRuns(owner: string, leaseMs: number, take = 10): Promise<RunLease[]> {
    const rows = this.#sql.claimRecoverableRuns.all({ owner, leaseMs, take, now: Date.now() }) as LeaseRow[];
    return rows.map(toLease);
  }

  async renewLease(runId: string, owner: string, leaseMs: number): Promise<boolean> {
    return this.#sql.renewLease.run({ id: runId, owner, leaseMs, now: Date.now() }).changes > 0;
  }

  async releaseRun(runId: string, owner: string): Promise<boolean> {
    return this.#sql.releaseRun.run({ id: runId, owner }).changes > 0;
  }

  async parkRun(runId: string, reason: string | SerializedError): Promise<boolean> {
    try {
      return this.#park(runId, typeof reason === "string" ? recoveryExhausted(reason) : reason);
    } catch (error) {
      if (error === NOT_PARKED) return false;
      throw error;
    }
  }

  async requestCancel(runId: string, request: RunControlRequest): Promise<boolean> {
    return refusedAsFalse(() => this.#cancel(runId, request));
  }

  async cancelRequests(runIds: readonly string[]): Promise<Map<string, RunControlRequest>> {
    if (runIds.length === 0) return new Map();
    const rows = this.#sql.cancelRequests.all({ ids: JSON.stringify(runIds) }) as Array<{
      id: string;
      cancel_request: string;
    }>;
    return new Map(rows.map((row) => [row.id, decodeCancelRequest(row.cancel_request)!]));
  }

  async reopenRun(event: ReopenedEvent, owner: string, lastSeq: number): Promise<RunLease | null> {
    if (!refusedAsFalse(() => this.#reopen(event, owner, lastSeq))) return null;
    const row = this.#sql.claimRun.get({
      id: event.runId,
      owner,
      leaseMs: this.leaseMs,
      now: Date.now(),
      goneOwner: null,
    }) as LeaseRow | undefined;
    return row ? toLease(row) : null;
  }

  async pruneFinishedRuns(endedBefore: Date, take: number): Promise<number> {
    return this.#prune(endedBefore.getTime(), take);
  }

  async listEvents(filter: ListEventsFilter = {}): Promise<JournaledEvent[]> {
    const statement = this.#sql.listEvents(filter.runId !== undefined);
    const rows = statement.all({
      runId: filter.runId,
      afterSeq: filter.afterSeq ?? 0,
      take: filter.take ?? 1000,
    }) as EventRow[];
    return rows.map(toJournaledEvent);
  }

  /** Stops the runs this store's owner executes here first (see `stopExecutingRuns`): recovery resumes them. */
  async close(): Promise<void> {
    if (!this.#db.open) return;
    // Only when there are any: without, the file closes at once, before this returns.
    if (executingRunsOf(this.owner).length > 0) await stopExecutingRuns(this.owner);
    if (this.#db.open) this.#db.close();
  }

  /** The connection's durability settings as SQLite reports them: for health checks, and to prove they hold. */
  settings(): { journalMode: string; synchronous: string; busyTimeoutMs: number } {
    return {
      journalMode: String(this.#db.pragma("journal_mode", { simple: true })).toUpperCase(),
      synchronous: SYNCHRONOUS_LEVELS[Number(this.#db.pragma("synchronous", { simple: true }))] ?? "UNKNOWN",
      busyTimeoutMs: Number(this.#db.pragma("busy_timeout", { simple: true })),
    };
  }

  #start(event: StartedEvent): void {
    const params = startParams(event, { owner: this.owner, leaseMs: this.leaseMs });
    const seq = this.#sql.insertEvent.run(params).lastInsertRowid;
    try {
      this.#sql.insertRun.run({ ...params, seq });
    } catch (error) {
      throw this.#startConflict(event, error);
    }
    event.steps.forEach((name, idx) => this.#sql.insertStep.run({ id: event.runId, idx, name }));
  }

  #startConflict(event: StartedEvent, error: unknown): unknown {
    const code = (error as { code?: string }).code;
    if (code === "SQLITE_CONSTRAINT_PRIMARYKEY") return new Error(`Run ${event.runId} is already journaled`);
    if (code !== "SQLITE_CONSTRAINT_UNIQUE") return error;
    if (event.resourceKey !== undefined && String((error as Error).message).includes("resource_key")) {
      return new ResourceHeldError(
        event.resourceKey,
        (this.#sql.runHolding.get(event.resourceKey) as string | undefined) ?? null,
      );
    }
    if (event.idempotencyKey === undefined) return error;
    const existing = this.#sql.runByIdempotencyKey.get({ workflow: event.workflow, key: event.idempotencyKey }) as
      RunStepRow | undefined;
    return new IdempotencyKeyConflictError(event.workflow, event.idempotencyKey, existing?.id ?? "");
  }

  #apply(event: LaterEvent): void {
    const params = sqliteParams(eventParams(event));
    params.owner = this.owner;
    const statements = this.#sql.forEvent(event.type);
    // The event row goes first for its sequence number; if the run or step is missing, or the run's guard refuses
    // the event (finished, or owned by another instance), the throw rolls every write back.
    params.seq = Number(this.#sql.insertEvent.run(params).lastInsertRowid);
    if (statements.step && statements.step.run(params).changes === 0) throw this.#refused(event);
    if (statements.run.run(params).changes === 0) throw this.#refused(event);
    statements.skip?.run(params);
  }

  #refused(event: LaterEvent): Error {
    return refusal(event, this.owner, this.#sql.runGuard.get(event.runId) as GuardRow | undefined);
  }

  /** Writes a run-control event with its own guard `statement`; false (and nothing written) when the guard refuses. */
  #writeGuarded(event: LaterEvent, statement: Statement, extra: Record<string, string | number | null>): boolean {
    const params = { ...sqliteParams(eventParams(event)), ...extra };
    params.seq = Number(this.#sql.insertEvent.run(params).lastInsertRowid);
    if (statement.run(params).changes > 0) return true;
    throw NOT_PARKED;
  }

  #parkInTransaction(runId: string, error: SerializedError): boolean {
    const event: LaterEvent = { type: "run-finished", runId, status: "FAILED", error, at: new Date() };
    const params = sqliteParams(eventParams(event));
    Object.assign(params, { reason: error.message, now: Date.now() });
    params.seq = Number(this.#sql.insertEvent.run(params).lastInsertRowid);
    if (this.#sql.parkRun.run(params).changes === 0) throw NOT_PARKED;
    this.#sql.forEvent("run-finished").skip?.run(params);
    return true;
  }
}

function refusedAsFalse(write: () => boolean): boolean {
  try {
    return write();
  } catch (error) {
    if (error === NOT_PARKED) return false;
    throw error;
  }
}

/** Bind values of `run-started`, shared by the start's event, run and step rows. */
function startParams(
  event: StartedEvent,
  lease: { owner: string; leaseMs: number },
): Record<string, string | number | null> {
  return {
    id: event.runId,
    type: event.type,
    at: event.at.getTime(),
    payload: encodeEvent(event),
    workflow: event.workflow,
    input: encodeJournalValue(event.input, `the input of run ${event.runId}`),
    inputHash: hashRunInput(event.input),
    data: encodeJournalValue({ ...event.data }, `the data of run ${event.runId}`)!,
    resourceId: event.resourceId ?? null,
    idempotencyKey: event.idempotencyKey ?? null,
    resourceKey: event.resourceKey ?? null,
    transactional: event.transactional ? 1 : 0,
    owner: lease.owner,
    leaseMs: lease.leaseMs,
    now: Date.now(),
  };
}
