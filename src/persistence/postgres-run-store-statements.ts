import { createHash } from "node:crypto";
import pg, { type QueryConfig } from "pg";
import type { RunEventType } from "../saga/run-events.ts";
import { UNFINISHED_STATUSES } from "../saga/durable-run-store.ts";
import { qualified } from "./journal-schema-postgres.ts";
import { EVENT_PLANS, toPositional, type PlanParams } from "./run-store-event-plans.ts";
import { runsWithSteps } from "./run-store-rows.ts";

const JSON_OID = 114;

/** json columns come back as text, for run-store-json.ts to decode; everything else as pg parses it by default. */
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

  config(params: PlanParams): QueryConfig {
    return { name: this.#name, text: this.#text, values: this.#names.map((name) => params[name] ?? null), types: journalTypes };
  }
}

const UNFINISHED = `status IN (${UNFINISHED_STATUSES.map((s) => `'${s}'`).join(", ")}) AND parked_at IS NULL`;
const LEASE_FREE = "(owner IS NULL OR lease_expires_at IS NULL OR lease_expires_at <= now())";
const LEASE_UNTIL = "now() + :leaseMs::float8 * interval '1 millisecond'";
const NEWEST_FIRST = "created_at DESC, start_seq DESC";
const OLDEST_FIRST = "created_at, start_seq";

/** Every statement the PostgreSQL store runs; each `record()` is a single statement, so a single round trip. */
export class PostgresStatements {
  readonly start: PreparedQuery;
  readonly runGuard: PreparedQuery;
  readonly runByIdempotencyKey: PreparedQuery;
  readonly journaledRun: PreparedQuery;
  readonly unfinishedRuns: PreparedQuery;
  readonly claimableRuns: PreparedQuery;
  readonly claimRun: PreparedQuery;
  readonly claimRecoverableRuns: PreparedQuery;
  readonly renewLease: PreparedQuery;
  readonly releaseRun: PreparedQuery;
  readonly parkRun: PreparedQuery;
  readonly #events = new Map<RunEventType, PreparedQuery>();
  readonly #listRuns = new Map<string, PreparedQuery>();
  readonly #listEvents = new Map<string, PreparedQuery>();
  readonly #t: (name: string) => string;

  constructor(schema: string) {
    const t = (this.#t = (name: string) => qualified(schema, name));
    const withSteps = (runs: string, order: string) => new PreparedQuery(runsWithSteps(runs, t("steps"), order));
    this.start = new PreparedQuery(startSql(t));
    this.runGuard = new PreparedQuery(`SELECT status, owner FROM ${t("runs")} WHERE id = :id`);
    this.runByIdempotencyKey = withSteps(`SELECT * FROM ${t("runs")} WHERE workflow = :workflow AND idempotency_key = :key`, NEWEST_FIRST);
    this.journaledRun = withSteps(`SELECT * FROM ${t("runs")} WHERE id = :id`, NEWEST_FIRST);
    this.unfinishedRuns = withSteps(`SELECT * FROM ${t("runs")} WHERE ${UNFINISHED} ORDER BY ${OLDEST_FIRST} LIMIT :take`, OLDEST_FIRST);
    this.claimableRuns = withSteps(`SELECT * FROM ${t("runs")} WHERE ${UNFINISHED} AND ${LEASE_FREE} ORDER BY ${OLDEST_FIRST} LIMIT :take`, OLDEST_FIRST);
    const claim = `SET owner = :owner, lease_expires_at = ${LEASE_UNTIL}, heartbeat_at = now(),
        recovery_attempts = recovery_attempts + CASE WHEN owner IS NOT DISTINCT FROM :owner THEN 0 ELSE 1 END`;
    const returning = "RETURNING id, owner, lease_expires_at, recovery_attempts";
    // A conditional UPDATE: a concurrent claimant blocks on the row lock, re-checks the WHERE against the
    // winner's version, and finds the lease taken. Exactly one wins.
    this.claimRun = new PreparedQuery(`UPDATE ${t("runs")} ${claim} WHERE id = :id AND ${UNFINISHED} AND (${LEASE_FREE} OR owner = :owner) ${returning}`);
    // SKIP LOCKED: instances sweeping for work take disjoint batches instead of queueing behind each other.
    this.claimRecoverableRuns = new PreparedQuery(
      `UPDATE ${t("runs")} ${claim} WHERE ${UNFINISHED} AND ${LEASE_FREE} AND id IN (
         SELECT id FROM ${t("runs")} WHERE ${UNFINISHED} AND ${LEASE_FREE} ORDER BY ${OLDEST_FIRST} LIMIT :take FOR UPDATE SKIP LOCKED) ${returning}`,
    );
    this.renewLease = new PreparedQuery(
      `UPDATE ${t("runs")} SET lease_expires_at = ${LEASE_UNTIL}, heartbeat_at = now() WHERE id = :id AND owner = :owner AND ${UNFINISHED}`,
    );
    this.releaseRun = new PreparedQuery(`UPDATE ${t("runs")} SET owner = NULL, lease_expires_at = NULL WHERE id = :id AND owner = :owner`);
    this.parkRun = new PreparedQuery(parkSql(t));
  }

  forEvent(type: Exclude<RunEventType, "run-started">): PreparedQuery {
    return cached(this.#events, type, () => new PreparedQuery(eventSql(this.#t, type)));
  }

  listRuns(status: boolean, workflow: boolean): PreparedQuery {
    return cached(this.#listRuns, `${status}:${workflow}`, () => {
      const where = [status && "status = :status", workflow && "workflow = :workflow"].filter(Boolean);
      const filter = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
      const runs = `SELECT * FROM ${this.#t("runs")} ${filter} ORDER BY ${NEWEST_FIRST} LIMIT :take`;
      return new PreparedQuery(runsWithSteps(runs, this.#t("steps"), NEWEST_FIRST));
    });
  }

  listEvents(byRun: boolean): PreparedQuery {
    return cached(this.#listEvents, String(byRun), () =>
      new PreparedQuery(`SELECT seq, run_id, type, at, payload FROM ${this.#t("events")} WHERE seq > :afterSeq ${byRun ? "AND run_id = :runId" : ""} ORDER BY seq LIMIT :take`),
    );
  }
}

function cached<K>(cache: Map<K, PreparedQuery>, key: K, prepare: () => PreparedQuery): PreparedQuery {
  let query = cache.get(key);
  if (!query) cache.set(key, (query = prepare()));
  return query;
}

/** The run, its PENDING steps and its first event, all from one sequence number, in one statement. */
function startSql(t: (name: string) => string): string {
  return `
    WITH q AS (SELECT nextval('${t("event_seq")}') AS seq),
    r AS (
      INSERT INTO ${t("runs")} (id, workflow, status, input, input_hash, data, resource_id, idempotency_key, transactional, result,
        created_at, updated_at, owner, lease_expires_at, heartbeat_at, start_seq, last_seq)
      SELECT :id::text, :workflow::text, 'RUNNING', :input::json, :inputHash::text, :data::json, :resourceId::text, :idempotencyKey::text,
        :transactional::boolean, 'null'::json, :at::timestamptz, :at, :owner::text, ${LEASE_UNTIL}, now(), q.seq, q.seq FROM q
      RETURNING id),
    s AS (
      INSERT INTO ${t("steps")} (run_id, idx, name, status, result)
      SELECT r.id, t.ord - 1, t.name, 'PENDING', 'null'::json FROM r, unnest(:names::text[]) WITH ORDINALITY AS t (name, ord))
    INSERT INTO ${t("events")} (seq, run_id, type, at, payload) SELECT q.seq, r.id, :type::text, :at, :payload::json FROM q, r`;
}

/**
 * The event's changes and its event row as one statement. The run row is only updated through a step row that
 * exists, and the event row only through the run row, so an event for a missing run or step changes nothing
 * and returns no row. The guard `g` comes first and locks the run row: a run that finished, or that another
 * instance claimed (its UPDATE commits first, and the lock re-reads the row), refuses the event in this same
 * statement, so the check costs no round trip of its own.
 */
function eventSql(t: (name: string) => string, type: Exclude<RunEventType, "run-started">): string {
  const plan = EVENT_PLANS[type];
  const runSet = ["updated_at = :at::timestamptz", `last_seq = nextval('${t("event_seq")}')`, ...(plan.run ? [plan.run] : [])].join(", ");
  const guard = `id = :id::text AND ${UNFINISHED} AND owner = :owner::text`;
  const ctes: string[] = [];
  if (plan.step) {
    ctes.push(`g AS (SELECT id FROM ${t("runs")} WHERE ${guard} FOR UPDATE)`);
    ctes.push(`s AS (UPDATE ${t("steps")} SET ${plan.step} WHERE run_id = (SELECT id FROM g) AND idx = :idx::integer RETURNING run_id)`);
    ctes.push(`r AS (UPDATE ${t("runs")} SET ${runSet} WHERE id = (SELECT run_id FROM s) RETURNING id, last_seq)`);
  } else {
    ctes.push(`r AS (UPDATE ${t("runs")} SET ${runSet} WHERE ${guard} RETURNING id, last_seq)`);
  }
  if (plan.skipsPending) ctes.push(skipPending(t));
  return `WITH ${ctes.join(",\n")}
    INSERT INTO ${t("events")} (seq, run_id, type, at, payload) SELECT r.last_seq, r.id, :type::text, :at, :payload::json FROM r RETURNING seq`;
}

function skipPending(t: (name: string) => string): string {
  return `k AS (UPDATE ${t("steps")} SET status = 'SKIPPED' WHERE run_id = (SELECT id FROM r) AND status = 'PENDING' AND :skip::boolean)`;
}

/** A `run-finished` FAILED event that also parks the run and frees its lease, whoever holds it. */
function parkSql(t: (name: string) => string): string {
  const runSet = [
    "updated_at = :at::timestamptz",
    `last_seq = nextval('${t("event_seq")}')`,
    EVENT_PLANS["run-finished"].run!,
    "parked_at = now(), park_reason = :reason::text, owner = NULL, lease_expires_at = NULL",
  ].join(", ");
  return `WITH r AS (UPDATE ${t("runs")} SET ${runSet} WHERE id = :id::text AND ${UNFINISHED} RETURNING id, last_seq),
    ${skipPending(t)}
    INSERT INTO ${t("events")} (seq, run_id, type, at, payload) SELECT r.last_seq, r.id, :type::text, :at, :payload::json FROM r RETURNING seq`;
}
