import type { Database } from "better-sqlite3";

/** The version this code writes; a journal at a newer version is refused rather than misread. */
export const SQLITE_JOURNAL_VERSION = 3;

const RUN_STATUSES_V1 = "'RUNNING','COMPLETED','COMPENSATING','COMPENSATED','FAILED'";
const RUN_STATUSES = `${RUN_STATUSES_V1},'CANCELLED'`;
const STEP_STATUSES =
  "'PENDING','RUNNING','COMPLETED','FAILED','COMPENSATING','COMPENSATED','COMPENSATION_FAILED','SKIPPED'";

/**
 * Migrations by target version: `SQLITE_JOURNAL_MIGRATIONS[n - 1]` takes the journal from version n-1 to n. Times are epoch
 * milliseconds, JSON values text (see run-journal-json.ts), SQL NULL in a JSON column means `undefined`.
 */
export const SQLITE_JOURNAL_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE sagaql_runs (
    id                TEXT PRIMARY KEY,
    workflow          TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN (${RUN_STATUSES_V1})),
    input             TEXT,
    input_hash        TEXT NOT NULL,
    data              TEXT NOT NULL,
    resource_id       TEXT,
    idempotency_key   TEXT,
    transactional     INTEGER NOT NULL,
    result            TEXT,
    error             TEXT,
    failed_step       TEXT,
    rolled_back       INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    owner             TEXT,
    lease_expires_at  INTEGER,
    heartbeat_at      INTEGER,
    recovery_attempts INTEGER NOT NULL DEFAULT 0,
    parked_at         INTEGER,
    park_reason       TEXT,
    start_seq         INTEGER NOT NULL,
    last_seq          INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX sagaql_runs_idempotency_key ON sagaql_runs (workflow, idempotency_key) WHERE idempotency_key IS NOT NULL;
  CREATE INDEX sagaql_runs_created ON sagaql_runs (created_at DESC, start_seq DESC);
  CREATE INDEX sagaql_runs_status_created ON sagaql_runs (status, created_at DESC);
  CREATE INDEX sagaql_runs_workflow_created ON sagaql_runs (workflow, created_at DESC);
  CREATE TABLE sagaql_steps (
    run_id                TEXT NOT NULL REFERENCES sagaql_runs (id) ON DELETE CASCADE,
    idx                   INTEGER NOT NULL,
    name                  TEXT NOT NULL,
    status                TEXT NOT NULL CHECK (status IN (${STEP_STATUSES})),
    attempts              INTEGER NOT NULL DEFAULT 0,
    compensation_attempts INTEGER NOT NULL DEFAULT 0,
    result                TEXT,
    error                 TEXT,
    compensation_error    TEXT,
    started_at            INTEGER,
    ended_at              INTEGER,
    PRIMARY KEY (run_id, idx)
  ) WITHOUT ROWID;
  -- AUTOINCREMENT: sequence numbers are never reused, even after the newest events are deleted.
  CREATE TABLE sagaql_events (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id  TEXT NOT NULL,
    type    TEXT NOT NULL,
    at      INTEGER NOT NULL,
    payload TEXT NOT NULL
  );
  CREATE INDEX sagaql_events_run ON sagaql_events (run_id, seq);
  `,
  // One run per resource at a time: a second unfinished run on the same row cannot start while one holds it.
  `
  ALTER TABLE sagaql_runs ADD COLUMN resource_key TEXT;
  CREATE UNIQUE INDEX sagaql_runs_active_resource ON sagaql_runs (resource_key)
    WHERE resource_key IS NOT NULL AND status IN ('RUNNING','COMPENSATING');
  `,
  // Run control: the CANCELLED status and who asked for a cancel. SQLite cannot change a CHECK constraint in place:
  // the table is rebuilt (its steps' foreign key is off meanwhile, see prepareSqliteJournal) and its indexes made again.
  `
  CREATE TABLE sagaql_runs_v3 (
    id                TEXT PRIMARY KEY,
    workflow          TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN (${RUN_STATUSES})),
    input             TEXT,
    input_hash        TEXT NOT NULL,
    data              TEXT NOT NULL,
    resource_id       TEXT,
    idempotency_key   TEXT,
    transactional     INTEGER NOT NULL,
    result            TEXT,
    error             TEXT,
    failed_step       TEXT,
    rolled_back       INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    owner             TEXT,
    lease_expires_at  INTEGER,
    heartbeat_at      INTEGER,
    recovery_attempts INTEGER NOT NULL DEFAULT 0,
    parked_at         INTEGER,
    park_reason       TEXT,
    start_seq         INTEGER NOT NULL,
    last_seq          INTEGER NOT NULL,
    resource_key      TEXT,
    cancel_request    TEXT
  );
  INSERT INTO sagaql_runs_v3 (id, workflow, status, input, input_hash, data, resource_id, idempotency_key, transactional, result, error,
      failed_step, rolled_back, created_at, updated_at, owner, lease_expires_at, heartbeat_at, recovery_attempts, parked_at, park_reason,
      start_seq, last_seq, resource_key)
    SELECT id, workflow, status, input, input_hash, data, resource_id, idempotency_key, transactional, result, error,
      failed_step, rolled_back, created_at, updated_at, owner, lease_expires_at, heartbeat_at, recovery_attempts, parked_at, park_reason,
      start_seq, last_seq, resource_key FROM sagaql_runs;
  DROP TABLE sagaql_runs;
  ALTER TABLE sagaql_runs_v3 RENAME TO sagaql_runs;
  CREATE UNIQUE INDEX sagaql_runs_idempotency_key ON sagaql_runs (workflow, idempotency_key) WHERE idempotency_key IS NOT NULL;
  CREATE INDEX sagaql_runs_created ON sagaql_runs (created_at DESC, start_seq DESC);
  CREATE INDEX sagaql_runs_status_created ON sagaql_runs (status, created_at DESC);
  CREATE INDEX sagaql_runs_workflow_created ON sagaql_runs (workflow, created_at DESC);
  CREATE UNIQUE INDEX sagaql_runs_active_resource ON sagaql_runs (resource_key)
    WHERE resource_key IS NOT NULL AND status IN ('RUNNING','COMPENSATING');
  `,
];

/**
 * Sets the connection up and brings the journal to `SQLITE_JOURNAL_VERSION`. Safe when several processes open a
 * new file together: the check and the DDL run under `BEGIN IMMEDIATE`, the file's single write lock, so one
 * process migrates and the others wait (busy_timeout) and then find the work done.
 */
export function prepareSqliteJournal(db: Database, pragmas: { busyTimeoutMs: number; synchronous: string }): void {
  // busy_timeout first: switching to WAL takes a lock another process may hold.
  db.pragma(`busy_timeout = ${pragmas.busyTimeoutMs}`);
  db.pragma("journal_mode = WAL");
  // Per connection, never inherited from the file: a connection that skips it runs with the default.
  db.pragma(`synchronous = ${pragmas.synchronous}`);
  // Off while migrating (it cannot change inside a transaction): rebuilding the runs table must not cascade to the
  // steps. The migration checks the keys before it commits.
  db.pragma("foreign_keys = OFF");
  db.transaction(() => migrate(db)).immediate();
  db.pragma("foreign_keys = ON");
}

function migrate(db: Database): void {
  db.exec("CREATE TABLE IF NOT EXISTS sagaql_journal_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  const row = db.prepare("SELECT value FROM sagaql_journal_meta WHERE key = 'schema_version'").get() as
    { value: string } | undefined;
  const current = row ? Number(row.value) : 0;
  if (current > SQLITE_JOURNAL_VERSION) {
    throw new Error(
      `The run journal is at schema version ${current}; this sagaql understands up to ${SQLITE_JOURNAL_VERSION}. Upgrade sagaql.`,
    );
  }
  for (let version = current + 1; version <= SQLITE_JOURNAL_VERSION; version++)
    db.exec(SQLITE_JOURNAL_MIGRATIONS[version - 1]!);
  if (current === SQLITE_JOURNAL_VERSION) return;
  if ((db.pragma("foreign_key_check") as unknown[]).length > 0)
    throw new Error("The run journal's migration left steps without their run");
  db.prepare(
    "INSERT INTO sagaql_journal_meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  ).run(String(SQLITE_JOURNAL_VERSION));
}
