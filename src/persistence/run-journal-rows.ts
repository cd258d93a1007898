import type { DataMap } from "../engine/definition/context.ts";
import type { SerializedError } from "../engine/errors.ts";
import type { RunEvent, RunStatus, StepStatus } from "../engine/journal/run-events.ts";
import type { CancelRequest, RunSnapshot, StepSnapshot } from "../engine/journal/run-snapshot.ts";
import type { JournaledEvent, JournaledRun, RunLease } from "./durable-run-journal-options.ts";
import { decodeJournalNullable, decodeJournalValue } from "./run-journal-json.ts";

/** SQLite gives epoch ms and 0/1, PostgreSQL Dates, booleans and bigint strings: rows hold either. */
type Time = Date | number | string | null;
type Bool = boolean | number;
type Count = number | string;

/** One row of the runs ⟕ steps query both SQL journals run: the run's columns, then its step's, prefixed `s_`. */
export interface RunStepRow {
  id: string;
  workflow: string;
  status: string;
  input: string | null;
  input_hash: string;
  data: string;
  resource_id: string | null;
  idempotency_key: string | null;
  transactional: Bool;
  result: string | null;
  error: string | null;
  failed_step: string | null;
  rolled_back: Bool;
  created_at: Time;
  updated_at: Time;
  owner: string | null;
  lease_expires_at: Time;
  heartbeat_at: Time;
  recovery_attempts: Count;
  parked_at: Time;
  park_reason: string | null;
  last_seq: Count;
  cancel_request: string | null;
  s_idx: Count | null;
  s_name: string | null;
  s_status: string | null;
  s_attempts: Count | null;
  s_compensation_attempts: Count | null;
  s_result: string | null;
  s_error: string | null;
  s_compensation_error: string | null;
  s_started_at: Time;
  s_ended_at: Time;
}

/** The columns of the runs ⟕ steps query, for `SELECT ${RUN_STEP_COLUMNS} FROM <runs> r LEFT JOIN <steps> s …`. */
export const RUN_STEP_COLUMNS = [
  "r.id, r.workflow, r.status, r.input, r.input_hash, r.data, r.resource_id, r.idempotency_key, r.transactional",
  "r.result, r.error, r.failed_step, r.rolled_back, r.created_at, r.updated_at, r.owner, r.lease_expires_at",
  "r.heartbeat_at, r.recovery_attempts, r.parked_at, r.park_reason, r.last_seq, r.cancel_request",
  "s.idx AS s_idx, s.name AS s_name, s.status AS s_status, s.attempts AS s_attempts",
  "s.compensation_attempts AS s_compensation_attempts, s.result AS s_result, s.error AS s_error",
  "s.compensation_error AS s_compensation_error, s.started_at AS s_started_at, s.ended_at AS s_ended_at",
].join(", ");

/**
 * Joins the runs a `runs` query selects with their steps, ordered by `order` (columns of the runs table) and then
 * step index: one statement, so a run and its steps are read from the same snapshot of the journal.
 */
export function runsWithSteps(runs: string, stepsTable: string, order: string): string {
  const outer = order.replace(/(^|, )(\w)/g, "$1r.$2");
  return `WITH r AS (${runs}) SELECT ${RUN_STEP_COLUMNS} FROM r LEFT JOIN ${stepsTable} s ON s.run_id = r.id ORDER BY ${outer}, s.idx`;
}

export function toDate(value: Time): Date | null {
  if (value === null) return null;
  return value instanceof Date ? value : new Date(typeof value === "string" ? Number(value) : value);
}

/** Groups rows ordered by run, then step index, into runs; keeps the runs' order. */
export function assembleRuns(rows: readonly RunStepRow[]): JournaledRun[] {
  const runs: JournaledRun[] = [];
  let current: JournaledRun | undefined;
  for (const row of rows) {
    if (current?.run.id !== row.id) runs.push((current = journaledRun(row)));
    if (row.s_idx === null) continue;
    current.run.steps.push(stepSnapshot(row));
  }
  return runs;
}

function journaledRun(row: RunStepRow): JournaledRun {
  return {
    run: runSnapshot(row),
    inputHash: row.input_hash,
    owner: row.owner,
    leaseExpiresAt: toDate(row.lease_expires_at),
    heartbeatAt: toDate(row.heartbeat_at),
    recoveryAttempts: Number(row.recovery_attempts),
    parkedAt: toDate(row.parked_at),
    parkReason: row.park_reason,
    lastSeq: Number(row.last_seq),
  };
}

function runSnapshot(row: RunStepRow): RunSnapshot {
  return {
    id: row.id,
    workflow: row.workflow,
    status: row.status as RunStatus,
    input: decodeJournalValue(row.input),
    data: decodeJournalValue(row.data) as DataMap,
    resourceId: row.resource_id,
    idempotencyKey: row.idempotency_key,
    transactional: Boolean(row.transactional),
    result: decodeJournalValue(row.result),
    error: decodeJournalNullable<SerializedError>(row.error),
    failedStep: row.failed_step,
    rolledBack: Boolean(row.rolled_back),
    createdAt: toDate(row.created_at)!,
    updatedAt: toDate(row.updated_at)!,
    steps: [],
    cancelRequest: decodeCancelRequest(row.cancel_request),
  };
}

/** The `cancel_request` column (see `eventParams`): who asked, why, and when. */
export function decodeCancelRequest(text: string | null): CancelRequest | null {
  if (text === null) return null;
  const { by, reason, at } = JSON.parse(text) as { by: string; reason: string | null; at: string };
  return { by, reason, at: new Date(at) };
}

function stepSnapshot(row: RunStepRow): StepSnapshot {
  return {
    name: row.s_name!,
    index: Number(row.s_idx),
    status: row.s_status as StepStatus,
    attempts: Number(row.s_attempts),
    result: decodeJournalValue(row.s_result),
    error: decodeJournalNullable<SerializedError>(row.s_error),
    compensationError: decodeJournalNullable<SerializedError>(row.s_compensation_error),
    compensationAttempts: Number(row.s_compensation_attempts),
    startedAt: toDate(row.s_started_at),
    endedAt: toDate(row.s_ended_at),
  };
}

export interface LeaseRow {
  id: string;
  owner: string;
  lease_expires_at: Time;
  recovery_attempts: Count;
}

export function toLease(row: LeaseRow): RunLease {
  return {
    runId: row.id,
    owner: row.owner,
    expiresAt: toDate(row.lease_expires_at)!,
    recoveryAttempts: Number(row.recovery_attempts),
  };
}

export interface EventRow {
  seq: Count;
  run_id: string;
  type: string;
  at: Time;
  payload: string;
}

export function toJournaledEvent(row: EventRow): JournaledEvent {
  const fields = decodeJournalValue(row.payload) as object;
  return {
    seq: Number(row.seq),
    event: { type: row.type, runId: row.run_id, ...fields, at: toDate(row.at) } as RunEvent,
  };
}
