import { createHash } from "node:crypto";
import pg, { type QueryConfig } from "pg";
import { TERMINAL_STATUSES, UNFINISHED_STATUSES } from "../../engine/journal/durable-run-journal.ts";
import { qualified } from "./journal-schema-postgres.ts";
import { recordFunction, type RecordFunction } from "./postgres-record-function.ts";
import { EVENT_PLANS, toPositional, type PlanParams } from "../run-journal-event-plans.ts";
import { runsWithSteps } from "../run-journal-rows.ts";

const JSON_OID = 114;

/** json columns come back as text, for run-journal-json.ts to decode; everything else as pg parses it by default. */
const journalTypes = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === JSON_OID ? (value: string) => value : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** A named (server-side prepared) statement whose values are bound by name. */
export class PreparedQuery {
  readonly #name: string;
  readonly #text: string;
  readonly #names: string[];

  constructor(sql: string) {
    const { text, names } = toPositional(sql);
    this.#text = text;
    this.#names = names;
    // Named by the text's digest: unique per text (and so per schema) and stable, as pg's per-connection cache needs.
    this.#name = `sagaql_${createHash("sha1").update(text).digest("hex").slice(0, 20)}`;
  }

  /** The text and values in order, for a client other than `pg` (any that binds `$1…$n`). */
  positional(params: PlanParams): { text: string; values: unknown[] } {
    return { text: this.#text, values: this.#names.map((name) => params[name] ?? null) };
  }

  config(params: PlanParams): QueryConfig {
    return {
      name: this.#name,
      text: this.#text,
      values: this.#names.map((name) => params[name] ?? null),
      types: journalTypes,
    };
  }
}

const UNFINISHED = `status IN (${UNFINISHED_STATUSES.map((s) => `'${s}'`).join(", ")}) AND parked_at IS NULL`;
const LEASE_FREE = "(owner IS NULL OR lease_expires_at IS NULL OR lease_expires_at <= now())";
const LEASE_UNTIL = "now() + :leaseMs::float8 * interval '1 millisecond'";
/** `RunVisibilityFilter` as SQL over the JSON lists of `visibilityParams`. */
const VISIBLE = `workflow NOT IN (SELECT jsonb_array_elements_text(:hidden::jsonb))
  AND (workflow NOT IN (SELECT jsonb_array_elements_text(:keyedWorkflows::jsonb))
       OR workflow || ' ' || resource_id IN (SELECT jsonb_array_elements_text(:keys::jsonb)))`;
const NEWEST_FIRST = "created_at DESC, start_seq DESC";
const OLDEST_FIRST = "created_at, start_seq";

/** Where every journaled event is announced (`pg_notify`, payload `<runId>:<seq>`), for live progress feeds. */
export function runEventsChannel(schema: string): string {
  return `${schema}_run_events`;
}

/** Every statement the PostgreSQL store runs; each `record()`/`recordAll()` is a single statement, so a single round trip. */
export class PostgresStatements {
  /** The server-side function that applies a batch of events; `recordEvents` calls it. */
  readonly recordFunction: RecordFunction;
  readonly recordEvents: PreparedQuery;
  /** Reads the journal's identity, to tell whether another connection reaches this same journal. */
  readonly journalId: PreparedQuery;
  /** Gives a journal its identity on first use. */
  readonly ensureJournalId: PreparedQuery;
  readonly runByIdempotencyKey: PreparedQuery;
  readonly runHolding: PreparedQuery;
  readonly journaledRun: PreparedQuery;
  readonly unfinishedRuns: PreparedQuery;
  readonly claimableRuns: PreparedQuery;
  readonly claimRun: PreparedQuery;
  readonly claimRecoverableRuns: PreparedQuery;
  readonly renewLease: PreparedQuery;
  readonly releaseRun: PreparedQuery;
  readonly parkRun: PreparedQuery;
  readonly pruneRuns: PreparedQuery;
  readonly requestCancel: PreparedQuery;
  readonly cancelRequests: PreparedQuery;
  readonly reopenRun: Record<"retry" | "resume", PreparedQuery>;
  readonly #listRuns = new Map<string, PreparedQuery>();
  readonly #listEvents = new Map<string, PreparedQuery>();
  readonly #t: (name: string) => string;

  /** `announceInTransaction`: the record function notifies inside each write (see `PostgresRunJournalOptions.announce`). */
  constructor(schema: string, announceInTransaction: boolean) {
    const t = (this.#t = (name: string) => qualified(schema, name));
    const withSteps = (runs: string, order: string) => new PreparedQuery(runsWithSteps(runs, t("steps"), order));
    this.recordFunction = recordFunction(schema, announceInTransaction ? runEventsChannel(schema) : undefined);
    this.journalId = new PreparedQuery(`SELECT value FROM ${t("journal_meta")} WHERE key = 'journal_id'`);
    this.ensureJournalId = new PreparedQuery(
      `INSERT INTO ${t("journal_meta")} (key, value) VALUES ('journal_id', gen_random_uuid()::text) ON CONFLICT (key) DO NOTHING`,
    );
    this.recordEvents = new PreparedQuery(
      `SELECT ${this.recordFunction.name}(:owner::text, :leaseMs::float8, :events::jsonb) AS seqs`,
    );
    this.runByIdempotencyKey = withSteps(
      `SELECT * FROM ${t("runs")} WHERE workflow = :workflow AND idempotency_key = :key`,
      NEWEST_FIRST,
    );
    // The same condition as the partial unique index, so the index answers it.
    this.runHolding = new PreparedQuery(
      `SELECT id FROM ${t("runs")} WHERE resource_key = :key AND status IN ('RUNNING', 'COMPENSATING')`,
    );
    this.journaledRun = withSteps(`SELECT * FROM ${t("runs")} WHERE id = :id`, NEWEST_FIRST);
    this.unfinishedRuns = withSteps(
      `SELECT * FROM ${t("runs")} WHERE ${UNFINISHED} ORDER BY ${OLDEST_FIRST} LIMIT :take`,
      OLDEST_FIRST,
    );
    this.claimableRuns = withSteps(
      `SELECT * FROM ${t("runs")} WHERE ${UNFINISHED} AND ${LEASE_FREE} ORDER BY ${OLDEST_FIRST} LIMIT :take`,
      OLDEST_FIRST,
    );
    const claim = `SET owner = :owner, lease_expires_at = ${LEASE_UNTIL}, heartbeat_at = now(),
        recovery_attempts = recovery_attempts + CASE WHEN owner IS NOT DISTINCT FROM :owner THEN 0 ELSE 1 END`;
    const returning = "RETURNING id, owner, lease_expires_at, recovery_attempts";
    // A conditional UPDATE: a concurrent claimant blocks on the row lock, re-checks the WHERE against the
    // winner's version, and finds the lease taken. Exactly one wins.
    this.claimRun = new PreparedQuery(
      `UPDATE ${t("runs")} ${claim} WHERE id = :id AND ${UNFINISHED} AND (${LEASE_FREE} OR owner = :owner OR owner = :goneOwner::text) ${returning}`,
    );
    // SKIP LOCKED: instances sweeping for work take disjoint batches instead of queueing behind each other.
    this.claimRecoverableRuns = new PreparedQuery(
      `UPDATE ${t("runs")} ${claim} WHERE ${UNFINISHED} AND ${LEASE_FREE} AND id IN (
         SELECT id FROM ${t("runs")} WHERE ${UNFINISHED} AND ${LEASE_FREE} ORDER BY ${OLDEST_FIRST} LIMIT :take FOR UPDATE SKIP LOCKED) ${returning}`,
    );
    this.renewLease = new PreparedQuery(
      `UPDATE ${t("runs")} SET lease_expires_at = ${LEASE_UNTIL}, heartbeat_at = now() WHERE id = :id AND owner = :owner AND ${UNFINISHED}`,
    );
    this.releaseRun = new PreparedQuery(
      `UPDATE ${t("runs")} SET owner = NULL, lease_expires_at = NULL WHERE id = :id AND owner = :owner`,
    );
    this.parkRun = new PreparedQuery(parkSql(t, runEventsChannel(schema)));
    const channel = runEventsChannel(schema);
    this.requestCancel = new PreparedQuery(
      controlSql(t, channel, `${EVENT_PLANS["run-cancel-requested"].run!} WHERE id = :id::text AND ${UNFINISHED}`),
    );
    const reopen = `${EVENT_PLANS["run-reopened"].run!}, parked_at = NULL, park_reason = NULL, owner = :owner::text,
        lease_expires_at = ${LEASE_UNTIL}, heartbeat_at = now(), recovery_attempts = 0
      WHERE id = :id::text AND status = 'FAILED' AND last_seq = :lastSeq::bigint`;
    this.reopenRun = {
      retry: new PreparedQuery(
        controlSql(
          t,
          channel,
          reopen,
          `UPDATE ${t("steps")} SET status = 'COMPLETED', compensation_error = NULL, compensation_attempts = 0 WHERE run_id = (SELECT id FROM r) AND status = 'COMPENSATION_FAILED'`,
        ),
      ),
      resume: new PreparedQuery(
        controlSql(
          t,
          channel,
          reopen,
          `UPDATE ${t("steps")} SET status = 'PENDING' WHERE run_id = (SELECT id FROM r) AND status = 'SKIPPED'`,
        ),
      ),
    };
    this.cancelRequests = new PreparedQuery(
      `SELECT id, cancel_request FROM ${t("runs")} WHERE id = ANY(:ids::text[]) AND cancel_request IS NOT NULL AND ${UNFINISHED}`,
    );
    const finished = TERMINAL_STATUSES.map((s) => `'${s}'`).join(", ");
    // One statement, one commit; SKIP LOCKED keeps two instances pruning at once out of each other's way. Steps go
    // with their run (ON DELETE CASCADE).
    this.pruneRuns = new PreparedQuery(
      `WITH doomed AS (SELECT id FROM ${t("runs")} WHERE status IN (${finished}) AND updated_at < :before::timestamptz
                        ORDER BY updated_at LIMIT :take FOR UPDATE SKIP LOCKED),
            gone_events AS (DELETE FROM ${t("events")} WHERE run_id IN (SELECT id FROM doomed))
       DELETE FROM ${t("runs")} WHERE id IN (SELECT id FROM doomed) RETURNING id`,
    );
  }

  listRuns(
    status: boolean,
    workflow: boolean,
    visible = false,
    created: { after: boolean; before: boolean } = { after: false, before: false },
  ): PreparedQuery {
    return cached(this.#listRuns, `${status}:${workflow}:${visible}:${created.after}:${created.before}`, () => {
      const bounds = [
        created.after && "created_at >= to_timestamp(:createdAfter::float8 / 1000)",
        created.before && "created_at < to_timestamp(:createdBefore::float8 / 1000)",
      ];
      const where = [
        status && "status = :status",
        workflow && "workflow = :workflow",
        visible && VISIBLE,
        ...bounds,
      ].filter(Boolean);
      const filter = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
      const runs = `SELECT * FROM ${this.#t("runs")} ${filter} ORDER BY ${NEWEST_FIRST} LIMIT :take OFFSET :skip::int`;
      return new PreparedQuery(runsWithSteps(runs, this.#t("steps"), NEWEST_FIRST));
    });
  }

  listEvents(byRun: boolean): PreparedQuery {
    return cached(
      this.#listEvents,
      String(byRun),
      () =>
        new PreparedQuery(
          `SELECT seq, run_id, type, at, payload FROM ${this.#t("events")} WHERE seq > :afterSeq ${byRun ? "AND run_id = :runId" : ""} ORDER BY seq LIMIT :take`,
        ),
    );
  }
}

function cached<K>(cache: Map<K, PreparedQuery>, key: K, prepare: () => PreparedQuery): PreparedQuery {
  let query = cache.get(key);
  if (!query) cache.set(key, (query = prepare()));
  return query;
}

function skipPending(t: (name: string) => string): string {
  return `k AS (UPDATE ${t("steps")} SET status = 'SKIPPED' WHERE run_id = (SELECT id FROM r) AND status = 'PENDING' AND :skip::boolean)`;
}

/**
 * A run-control event written whoever owns the run: `setAndGuard` is the rest of the run's SET clause and its WHERE;
 * `steps` what else changes in its steps. Journaled and announced like any other event; no row when the guard refuses.
 */
function controlSql(t: (name: string) => string, channel: string, setAndGuard: string, steps?: string): string {
  return `WITH r AS (UPDATE ${t("runs")} SET updated_at = :at::timestamptz, last_seq = nextval('${t("event_seq")}'), ${setAndGuard} RETURNING id, last_seq),
    ${steps ? `k AS (${steps}),` : ""}
    e AS (INSERT INTO ${t("events")} (seq, run_id, type, at, payload) SELECT r.last_seq, r.id, :type::text, :at, :payload::json FROM r RETURNING seq, run_id)
    SELECT e.seq, pg_notify('${channel}', e.run_id || ':' || e.seq) FROM e`;
}

/** A `run-finished` FAILED event that also parks the run and frees its lease, whoever holds it; announced like any other. */
function parkSql(t: (name: string) => string, channel: string): string {
  const runSet = [
    "updated_at = :at::timestamptz",
    `last_seq = nextval('${t("event_seq")}')`,
    EVENT_PLANS["run-finished"].run!,
    "parked_at = now(), park_reason = :reason::text, owner = NULL, lease_expires_at = NULL",
  ].join(", ");
  return `WITH r AS (UPDATE ${t("runs")} SET ${runSet} WHERE id = :id::text AND ${UNFINISHED} RETURNING id, last_seq),
    ${skipPending(t)},
    e AS (INSERT INTO ${t("events")} (seq, run_id, type, at, payload) SELECT r.last_seq, r.id, :type::text, :at, :payload::json FROM r RETURNING seq, run_id)
    SELECT pg_notify('${channel}', e.run_id || ':' || e.seq) FROM e`;
}
