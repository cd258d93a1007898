import type { Database, Statement } from "better-sqlite3";
import type { RunEventType } from "../../engine/journal/run-events.ts";
import { TERMINAL_STATUSES, UNFINISHED_STATUSES } from "../../engine/journal/durable-run-journal.ts";
import { EVENT_PLANS, type PlanParams } from "../run-journal-event-plans.ts";
import { runsWithSteps as joinSteps } from "../run-journal-rows.ts";

const UNFINISHED = `status IN (${UNFINISHED_STATUSES.map((s) => `'${s}'`).join(", ")}) AND parked_at IS NULL`;
const LEASE_FREE = "(owner IS NULL OR lease_expires_at IS NULL OR lease_expires_at <= :now)";
const NEWEST_FIRST = "created_at DESC, start_seq DESC";
const OLDEST_FIRST = "created_at, start_seq";

/** `RunVisibilityFilter` as SQL over the JSON lists of `visibilityParams`. */
const VISIBLE = `workflow NOT IN (SELECT value FROM json_each(:hidden))
  AND (workflow NOT IN (SELECT value FROM json_each(:keyedWorkflows)) OR workflow || ' ' || resource_id IN (SELECT value FROM json_each(:keys)))`;

function runsWithSteps(runs: string, order: string): string {
  return joinSteps(runs, "sagaql_steps", order);
}

interface EventStatements {
  step?: Statement;
  run: Statement;
  skip?: Statement;
}

/** Every statement the SQLite store runs, prepared once per connection. */
export class SqliteStatements {
  readonly insertEvent: Statement;
  readonly insertRun: Statement;
  readonly insertStep: Statement;
  readonly runExists: Statement;
  readonly runGuard: Statement;
  readonly runByIdempotencyKey: Statement;
  readonly runHolding: Statement;
  readonly journaledRun: Statement;
  readonly unfinishedRuns: Statement;
  readonly claimableRuns: Statement;
  readonly claimRun: Statement;
  readonly claimRecoverableRuns: Statement;
  readonly renewLease: Statement;
  readonly releaseRun: Statement;
  readonly parkRun: Statement;
  readonly prunableRuns: Statement;
  readonly pruneEvents: Statement;
  readonly pruneRuns: Statement;
  readonly requestCancel!: Statement;
  readonly cancelRequests!: Statement;
  readonly reopenRun!: Statement;
  readonly reopenSteps!: Record<"retry" | "resume", Statement>;
  readonly #events = new Map<RunEventType, EventStatements>();
  readonly #listRuns = new Map<string, Statement>();
  readonly #listEvents = new Map<string, Statement>();

  constructor(private readonly db: Database) {
    this.insertEvent = db.prepare(
      "INSERT INTO sagaql_events (run_id, type, at, payload) VALUES (:id, :type, :at, :payload)",
    );
    this.insertRun = db.prepare(
      `INSERT INTO sagaql_runs (id, workflow, status, input, input_hash, data, resource_id, idempotency_key, transactional, result,
         created_at, updated_at, owner, lease_expires_at, heartbeat_at, start_seq, last_seq, resource_key)
       VALUES (:id, :workflow, 'RUNNING', :input, :inputHash, :data, :resourceId, :idempotencyKey, :transactional, 'null',
         :at, :at, :owner, :now + :leaseMs, :now, :seq, :seq, :resourceKey)`,
    );
    this.insertStep = db.prepare(
      "INSERT INTO sagaql_steps (run_id, idx, name, status, result) VALUES (:id, :idx, :name, 'PENDING', 'null')",
    );
    this.runExists = db.prepare("SELECT 1 FROM sagaql_runs WHERE id = ?").pluck();
    this.runGuard = db.prepare("SELECT status, owner FROM sagaql_runs WHERE id = ?");
    this.runByIdempotencyKey = db.prepare(
      runsWithSteps("SELECT * FROM sagaql_runs WHERE workflow = :workflow AND idempotency_key = :key", NEWEST_FIRST),
    );
    // The same condition as the partial unique index, so the index answers it.
    this.runHolding = db
      .prepare("SELECT id FROM sagaql_runs WHERE resource_key = ? AND status IN ('RUNNING','COMPENSATING')")
      .pluck();
    this.journaledRun = db.prepare(runsWithSteps("SELECT * FROM sagaql_runs WHERE id = :id", NEWEST_FIRST));
    this.unfinishedRuns = db.prepare(
      runsWithSteps(`SELECT * FROM sagaql_runs WHERE ${UNFINISHED} ORDER BY ${OLDEST_FIRST} LIMIT :take`, OLDEST_FIRST),
    );
    this.claimableRuns = db.prepare(
      runsWithSteps(
        `SELECT * FROM sagaql_runs WHERE ${UNFINISHED} AND ${LEASE_FREE} ORDER BY ${OLDEST_FIRST} LIMIT :take`,
        OLDEST_FIRST,
      ),
    );
    const claim = `SET owner = :owner, lease_expires_at = :now + :leaseMs, heartbeat_at = :now,
        recovery_attempts = recovery_attempts + (CASE WHEN owner IS :owner THEN 0 ELSE 1 END)`;
    const returning = "RETURNING id, owner, lease_expires_at, recovery_attempts";
    this.claimRun = db.prepare(
      `UPDATE sagaql_runs ${claim} WHERE id = :id AND ${UNFINISHED} AND (${LEASE_FREE} OR owner = :owner OR owner = :goneOwner) ${returning}`,
    );
    // One statement under SQLite's single writer: two processes cannot both see a run as claimable.
    this.claimRecoverableRuns = db.prepare(
      `UPDATE sagaql_runs ${claim} WHERE id IN (
         SELECT id FROM sagaql_runs WHERE ${UNFINISHED} AND ${LEASE_FREE} ORDER BY ${OLDEST_FIRST} LIMIT :take) ${returning}`,
    );
    this.renewLease = db.prepare(
      `UPDATE sagaql_runs SET lease_expires_at = :now + :leaseMs, heartbeat_at = :now WHERE id = :id AND owner = :owner AND ${UNFINISHED}`,
    );
    const finished = TERMINAL_STATUSES.map((s) => `'${s}'`).join(", ");
    this.prunableRuns = db
      .prepare(
        `SELECT id FROM sagaql_runs WHERE status IN (${finished}) AND updated_at < :before ORDER BY updated_at LIMIT :take`,
      )
      .pluck();
    this.pruneEvents = db.prepare("DELETE FROM sagaql_events WHERE run_id IN (SELECT value FROM json_each(:ids))");
    // Steps go with their run (ON DELETE CASCADE).
    this.pruneRuns = db.prepare(
      `DELETE FROM sagaql_runs WHERE status IN (${finished}) AND id IN (SELECT value FROM json_each(:ids))`,
    );
    this.releaseRun = db.prepare(
      "UPDATE sagaql_runs SET owner = NULL, lease_expires_at = NULL WHERE id = :id AND owner = :owner",
    );
    // Parking ends the run FAILED (the run-finished plan) and frees it; whoever holds the lease does not matter.
    Object.assign(this, this.#runControl(db));
    this.parkRun = db.prepare(
      `UPDATE sagaql_runs SET updated_at = :at, last_seq = :seq, ${EVENT_PLANS["run-finished"].run},
         parked_at = :now, park_reason = :reason, owner = NULL, lease_expires_at = NULL WHERE id = :id AND ${UNFINISHED}`,
    );
  }

  /**
   * Run control, written whoever owns the run. A cancel request only needs the run unfinished; a reopening needs it
   * FAILED and unchanged since the caller read it (`last_seq`), and leases it to the caller.
   */
  #runControl(db: Database): Pick<SqliteStatements, "requestCancel" | "cancelRequests" | "reopenRun" | "reopenSteps"> {
    return {
      requestCancel: db.prepare(
        `UPDATE sagaql_runs SET updated_at = :at, last_seq = :seq, ${EVENT_PLANS["run-cancel-requested"].run} WHERE id = :id AND ${UNFINISHED}`,
      ),
      cancelRequests: db.prepare(
        `SELECT id, cancel_request FROM sagaql_runs WHERE id IN (SELECT value FROM json_each(:ids)) AND cancel_request IS NOT NULL AND ${UNFINISHED}`,
      ),
      reopenRun: db.prepare(
        `UPDATE sagaql_runs SET updated_at = :at, last_seq = :seq, ${EVENT_PLANS["run-reopened"].run}, parked_at = NULL, park_reason = NULL,
           owner = :owner, lease_expires_at = :now + :leaseMs, heartbeat_at = :now, recovery_attempts = 0
         WHERE id = :id AND status = 'FAILED' AND last_seq = :lastSeq`,
      ),
      reopenSteps: {
        retry: db.prepare(
          "UPDATE sagaql_steps SET status = 'COMPLETED', compensation_error = NULL, compensation_attempts = 0 WHERE run_id = :id AND status = 'COMPENSATION_FAILED'",
        ),
        resume: db.prepare("UPDATE sagaql_steps SET status = 'PENDING' WHERE run_id = :id AND status = 'SKIPPED'"),
      },
    };
  }

  /** The statements that apply an event of `type` (all but `run-started`). */
  forEvent(type: Exclude<RunEventType, "run-started">): EventStatements {
    let statements = this.#events.get(type);
    if (statements) return statements;
    const plan = EVENT_PLANS[type];
    const runSet = ["updated_at = :at", "last_seq = :seq", ...(plan.run ? [plan.run] : [])].join(", ");
    statements = {
      // The guard: a finished run is never reopened, and only its owner may write to it.
      run: this.db.prepare(`UPDATE sagaql_runs SET ${runSet} WHERE id = :id AND ${UNFINISHED} AND owner = :owner`),
      ...(plan.step && {
        step: this.db.prepare(`UPDATE sagaql_steps SET ${plan.step} WHERE run_id = :id AND idx = :idx`),
      }),
      ...(plan.skipsPending && {
        skip: this.db.prepare(
          "UPDATE sagaql_steps SET status = 'SKIPPED' WHERE run_id = :id AND status = 'PENDING' AND :skip",
        ),
      }),
    };
    this.#events.set(type, statements);
    return statements;
  }

  listRuns(
    status: boolean,
    workflow: boolean,
    visible = false,
    created: { after: boolean; before: boolean } = { after: false, before: false },
  ): Statement {
    return cached(this.#listRuns, `${status}:${workflow}:${visible}:${created.after}:${created.before}`, () => {
      const bounds = [created.after && "created_at >= :createdAfter", created.before && "created_at < :createdBefore"];
      const where = [
        status && "status = :status",
        workflow && "workflow = :workflow",
        visible && VISIBLE,
        ...bounds,
      ].filter(Boolean);
      const filter = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
      return this.db.prepare(
        runsWithSteps(
          `SELECT * FROM sagaql_runs ${filter} ORDER BY ${NEWEST_FIRST} LIMIT :take OFFSET :skip`,
          NEWEST_FIRST,
        ),
      );
    });
  }

  listEvents(byRun: boolean): Statement {
    return cached(this.#listEvents, String(byRun), () =>
      this.db.prepare(
        `SELECT seq, run_id, type, at, payload FROM sagaql_events WHERE seq > :afterSeq ${byRun ? "AND run_id = :runId" : ""} ORDER BY seq LIMIT :take`,
      ),
    );
  }
}

function cached(cache: Map<string, Statement>, key: string, prepare: () => Statement): Statement {
  let statement = cache.get(key);
  if (!statement) cache.set(key, (statement = prepare()));
  return statement;
}

/** SQLite binds neither Dates nor booleans: epoch ms and 0/1 instead. */
export function sqliteParams(params: PlanParams): Record<string, string | number | null> {
  const bound: Record<string, string | number | null> = {};
  for (const key in params) {
    const value = params[key];
    if (value instanceof Date) bound[key] = value.getTime();
    else if (typeof value === "boolean") bound[key] = value ? 1 : 0;
    else if (Array.isArray(value)) continue;
    else bound[key] = value as string | number | null;
  }
  return bound;
}
