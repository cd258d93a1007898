import { createHash } from "node:crypto";
import type { RunEventType } from "../../engine/journal/run-events.ts";
import { UNFINISHED_STATUSES } from "../../engine/journal/durable-run-journal.ts";
import { qualified } from "./journal-schema-postgres.ts";
import { EVENT_PLANS } from "../run-journal-event-plans.ts";

/** The SQLSTATE the function raises when the journal refuses an event; its DETAIL says which event and why. */
export const REFUSED_SQLSTATE = "SQ001";

/** Starts the refusal's message, followed by its detail: a client that keeps only the message (Prisma) still has it. */
const REFUSAL_MARKER = "sagaql journal refused an event: ";

/** What the function reports about a refused event: its position in the batch and the run's row as it then stood. */
export interface RefusalDetail {
  index: number;
  found: boolean;
  status: string | null;
  owner: string | null;
}

export interface RecordFunction {
  /** Qualified name, for `SELECT <name>(owner, leaseMs, events)`. */
  name: string;
  /** `regprocedure` text, to ask whether it exists. */
  signature: string;
  /** The `CREATE FUNCTION` statement. */
  ddl: string;
}

/** Types of the event fields (`eventParams`, `startParams`) the function reads out of each JSON event. */
const FIELD_TYPES: Record<string, string> = {
  at: "timestamptz",
  type: "text",
  payload: "json",
  idx: "integer",
  attempt: "integer",
  attempts: "integer",
  error: "json",
  result: "json",
  data: "json",
  failedStep: "text",
  rolledBack: "boolean",
  status: "text",
  skip: "boolean",
  workflow: "text",
  input: "json",
  inputHash: "text",
  resourceId: "text",
  resourceKey: "text",
  idempotencyKey: "text",
  transactional: "boolean",
  cancelRequest: "json",
  action: "text",
};

const UNFINISHED = `status IN (${UNFINISHED_STATUSES.map((s) => `'${s}'`).join(", ")}) AND parked_at IS NULL`;

/**
 * The server-side function every `record`/`recordAll` of the PostgreSQL store calls: it applies a batch of events,
 * in order, each with the same guard as a single event (unfinished run, owned by the caller), journals each and,
 * given a `channel`, announces it there (`pg_notify`) — one statement, so one round trip and one commit however
 * many events the batch holds. It returns the events' sequence numbers. A refused event raises, which rolls the
 * whole batch back. Generated from `EVENT_PLANS` and named after a digest of its text: a journal shared by two
 * sagaql versions (or settings) holds a function for each.
 */
export function recordFunction(schema: string, channel: string | undefined): RecordFunction {
  const t = (name: string) => qualified(schema, name);
  const body = functionBody(t, channel);
  const name = t(`record_events_${createHash("sha1").update(body).digest("hex").slice(0, 12)}`);
  return {
    name,
    signature: `${name}(text,double precision,jsonb)`,
    ddl: `CREATE OR REPLACE FUNCTION ${name}(p_owner text, p_lease_ms float8, p_events jsonb) RETURNS bigint[] LANGUAGE plpgsql AS $fn$\n${body}\n$fn$`,
  };
}

function functionBody(t: (name: string) => string, channel: string | undefined): string {
  const branches = (Object.keys(EVENT_PLANS) as Array<Exclude<RunEventType, "run-started">>).map((type) =>
    eventBranch(t, type),
  );
  return `DECLARE
  e jsonb;
  v_id text;
  v_seq bigint;
  v_ok boolean;
  v_index integer := 0;
  v_status text;
  v_owner text;
  v_seqs bigint[] := '{}';
  v_detail text;
BEGIN
  FOR e IN SELECT value FROM jsonb_array_elements(p_events) LOOP
    v_id := e->>'id';
    v_ok := true;
    CASE e->>'type'
    WHEN 'run-started' THEN
${indent(startStatements(t), 6)}
${branches.join("\n")}
    END CASE;
    IF NOT v_ok THEN
      SELECT status, owner INTO v_status, v_owner FROM ${t("runs")} WHERE id = v_id;
      v_detail := json_build_object('index', v_index, 'found', FOUND, 'status', v_status, 'owner', v_owner)::text;
      RAISE EXCEPTION '${REFUSAL_MARKER}%', v_detail USING ERRCODE = '${REFUSED_SQLSTATE}', DETAIL = v_detail;
    END IF;
    INSERT INTO ${t("events")} (seq, run_id, type, at, payload) VALUES (v_seq, v_id, ${field("type")}, ${field("at")}, ${field("payload")});
    ${channel === undefined ? "" : `PERFORM pg_notify('${channel}', v_id || ':' || v_seq);`}
    v_seqs := v_seqs || v_seq;
    v_index := v_index + 1;
  END LOOP;
  RETURN v_seqs;
END`;
}

/** The run, its PENDING steps; a taken id, idempotency key or held resource raises the unique violation the caller maps. */
function startStatements(t: (name: string) => string): string {
  return `v_seq := nextval('${t("event_seq")}');
INSERT INTO ${t("runs")} (id, workflow, status, input, input_hash, data, resource_id, idempotency_key, transactional, result,
  created_at, updated_at, owner, lease_expires_at, heartbeat_at, start_seq, last_seq, resource_key)
VALUES (v_id, ${bind(":workflow, 'RUNNING', :input, :inputHash, :data, :resourceId, :idempotencyKey, :transactional, 'null'::json")},
  ${bind(":at, :at, :owner, now() + :leaseMs * interval '1 millisecond', now()")}, v_seq, v_seq, ${bind(":resourceKey")});
INSERT INTO ${t("steps")} (run_id, idx, name, status, result)
  SELECT v_id, s.ord - 1, s.name, 'PENDING', 'null'::json FROM jsonb_array_elements_text(e->'names') WITH ORDINALITY AS s (name, ord);`;
}

/**
 * One event type: the run row first, under the guard (its UPDATE locks the row, and re-reads it when a concurrent
 * claim committed first), then the step row, which must exist.
 */
function eventBranch(t: (name: string) => string, type: Exclude<RunEventType, "run-started">): string {
  const plan = EVENT_PLANS[type];
  const runSet = [
    `updated_at = ${field("at")}`,
    `last_seq = nextval('${t("event_seq")}')`,
    ...(plan.run ? [bind(plan.run)] : []),
  ].join(", ");
  const lines = [
    `UPDATE ${t("runs")} SET ${runSet} WHERE id = v_id AND ${UNFINISHED} AND owner = p_owner RETURNING last_seq INTO v_seq;`,
    "v_ok := FOUND;",
  ];
  if (plan.step) {
    lines.push(
      `IF v_ok THEN`,
      `  UPDATE ${t("steps")} SET ${bind(plan.step)} WHERE run_id = v_id AND idx = ${field("idx")};`,
      "  v_ok := FOUND;",
      "END IF;",
    );
  }
  if (plan.skipsPending) {
    lines.push(
      `IF v_ok AND ${field("skip")} THEN UPDATE ${t("steps")} SET status = 'SKIPPED' WHERE run_id = v_id AND status = 'PENDING'; END IF;`,
    );
  }
  return `    WHEN '${type}' THEN\n${indent(lines.join("\n"), 6)}`;
}

/** A plan's `:name` parameters as reads of the current event (or the function's own arguments). */
function bind(sql: string): string {
  return sql.replace(/(?<!:):([a-zA-Z]\w*)/g, (_match, name: string) => {
    if (name === "owner") return "p_owner";
    if (name === "leaseMs") return "p_lease_ms";
    if (name === "id") return "v_id";
    return field(name);
  });
}

function field(name: string): string {
  const type = FIELD_TYPES[name];
  if (!type) throw new Error(`record function: no type for event field "${name}"`);
  return `(e->>'${name}')::${type}`;
}

function indent(text: string, spaces: number): string {
  const pad = " ".repeat(spaces);
  return text
    .split("\n")
    .map((line) => pad + line)
    .join("\n");
}

/** The refused event's position and the run's state, from the error the function raised; undefined for other errors. */
export function refusalDetail(error: unknown): RefusalDetail | undefined {
  const { code, detail, message } = (error ?? {}) as { code?: string; detail?: string; message?: string };
  if (code === REFUSED_SQLSTATE && detail !== undefined) return JSON.parse(detail) as RefusalDetail;
  const marked = typeof message === "string" ? message.indexOf(REFUSAL_MARKER) : -1;
  if (marked < 0) return undefined;
  const json = /^\{[^}]*\}/.exec(message!.slice(marked + REFUSAL_MARKER.length));
  return json ? (JSON.parse(json[0]) as RefusalDetail) : undefined;
}

/**
 * SQLSTATE and constraint of a database error as `pg` raises it, or as Prisma wraps it when the statement ran
 * through `recordAllThrough` on a Prisma transaction (`meta.driverAdapterError.cause`).
 */
export function sqlStateOf(error: unknown): { code?: string; constraint?: string } {
  const { code, constraint, meta } = (error ?? {}) as {
    code?: string;
    constraint?: string;
    meta?: { driverAdapterError?: { cause?: PrismaCause } };
  };
  const cause = meta?.driverAdapterError?.cause;
  if (cause?.originalCode)
    return { code: cause.originalCode, ...(cause.constraint?.index ? { constraint: cause.constraint.index } : {}) };
  return { ...(code ? { code } : {}), ...(constraint ? { constraint } : {}) };
}

interface PrismaCause {
  originalCode?: string;
  constraint?: { index?: string };
}
