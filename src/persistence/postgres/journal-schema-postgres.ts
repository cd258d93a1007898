import type { Pool, PoolClient } from "pg";

/** The version this code writes; a journal at a newer version is refused rather than misread. */
export const POSTGRES_JOURNAL_VERSION = 3;

const RUN_STATUSES = "'RUNNING','COMPLETED','COMPENSATING','COMPENSATED','FAILED'";
const STEP_STATUSES =
  "'PENDING','RUNNING','COMPLETED','FAILED','COMPENSATING','COMPENSATED','COMPENSATION_FAILED','SKIPPED'";

/** `"schema".name`, for a schema name already checked by `checkSchemaName`. */
export function qualified(schema: string, name: string): string {
  return `"${schema}".${name}`;
}

export function checkSchemaName(schema: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema))
    throw new Error(`Invalid journal schema name "${schema}": use letters, digits and _`);
  return schema;
}

/**
 * Migrations by target version: `migrations(s)[n - 1]` takes the journal from version n-1 to n. `json`, not
 * `jsonb`: it keeps the text as written (key order included), and nothing queries inside it.
 * Fillfactor leaves room in each page, so the frequent updates of a run's rows stay HOT (no index churn).
 */
export function postgresJournalMigrations(schema: string): readonly string[] {
  const t = (name: string) => qualified(schema, name);
  return [
    `
    CREATE SEQUENCE ${t("event_seq")};
    CREATE TABLE ${t("runs")} (
      id                text PRIMARY KEY,
      workflow          text NOT NULL,
      status            text NOT NULL CHECK (status IN (${RUN_STATUSES})),
      input             json,
      input_hash        text NOT NULL,
      data              json NOT NULL,
      resource_id       text,
      idempotency_key   text,
      transactional     boolean NOT NULL,
      result            json,
      error             json,
      failed_step       text,
      rolled_back       boolean NOT NULL DEFAULT false,
      created_at        timestamptz NOT NULL,
      updated_at        timestamptz NOT NULL,
      owner             text,
      lease_expires_at  timestamptz,
      heartbeat_at      timestamptz,
      recovery_attempts integer NOT NULL DEFAULT 0,
      parked_at         timestamptz,
      park_reason       text,
      start_seq         bigint NOT NULL,
      last_seq          bigint NOT NULL
    ) WITH (fillfactor = 80);
    CREATE UNIQUE INDEX runs_idempotency_key ON ${t("runs")} (workflow, idempotency_key) WHERE idempotency_key IS NOT NULL;
    CREATE INDEX runs_created ON ${t("runs")} (created_at DESC, start_seq DESC);
    CREATE INDEX runs_status_created ON ${t("runs")} (status, created_at DESC);
    CREATE INDEX runs_workflow_created ON ${t("runs")} (workflow, created_at DESC);
    CREATE TABLE ${t("steps")} (
      run_id                text NOT NULL REFERENCES ${t("runs")} (id) ON DELETE CASCADE,
      idx                   integer NOT NULL,
      name                  text NOT NULL,
      status                text NOT NULL CHECK (status IN (${STEP_STATUSES})),
      attempts              integer NOT NULL DEFAULT 0,
      compensation_attempts integer NOT NULL DEFAULT 0,
      result                json,
      error                 json,
      compensation_error    json,
      started_at            timestamptz,
      ended_at              timestamptz,
      PRIMARY KEY (run_id, idx)
    ) WITH (fillfactor = 80);
    CREATE TABLE ${t("events")} (
      seq     bigint PRIMARY KEY,
      run_id  text NOT NULL,
      type    text NOT NULL,
      at      timestamptz NOT NULL,
      payload json NOT NULL
    );
    CREATE INDEX events_run ON ${t("events")} (run_id, seq);
    `,
    // One run per resource at a time: a second unfinished run on the same row cannot start while one holds it.
    `
    ALTER TABLE ${t("runs")} ADD COLUMN resource_key text;
    CREATE UNIQUE INDEX runs_active_resource ON ${t("runs")} (resource_key)
      WHERE resource_key IS NOT NULL AND status IN ('RUNNING', 'COMPENSATING');
    `,
    // Run control: the CANCELLED status and who asked for a cancel.
    `
    ALTER TABLE ${t("runs")} ADD COLUMN cancel_request json;
    ALTER TABLE ${t("runs")} DROP CONSTRAINT runs_status_check;
    ALTER TABLE ${t("runs")} ADD CONSTRAINT runs_status_check CHECK (status IN (${RUN_STATUSES}, 'CANCELLED'));
    `,
  ];
}

/** A function the store calls, created when missing (its name changes whenever its text does). */
export interface JournalRoutine {
  /** `regprocedure` text: `"schema".name(argument types)`. */
  signature: string;
  ddl: string;
}

/**
 * Brings the journal in `schema` to `POSTGRES_JOURNAL_VERSION` and creates the `routines` it lacks. Safe when
 * several processes start together: concurrent `CREATE … IF NOT EXISTS` can still collide in the catalog, so the
 * DDL runs in one transaction under an advisory lock; the others wait for it and then find the work done. An
 * up-to-date journal takes no lock.
 */
export async function preparePostgresJournal(
  pool: Pool,
  schema: string,
  routines: readonly JournalRoutine[] = [],
): Promise<void> {
  if (
    (await readVersion(pool, schema)) === POSTGRES_JOURNAL_VERSION &&
    (await missingRoutines(pool, routines)).length === 0
  )
    return;
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`sagaql.journal:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${qualified(schema, "journal_meta")} (key text PRIMARY KEY, value text NOT NULL)`,
    );
    await migrate(client, schema);
    for (const routine of await missingRoutines(client, routines)) await client.query(routine.ddl);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function readVersion(db: Pool | PoolClient, schema: string): Promise<number> {
  const meta = qualified(schema, "journal_meta");
  const exists = await db.query<{ found: string | null }>("SELECT to_regclass($1)::text AS found", [meta]);
  if (exists.rows[0]?.found == null) return 0;
  const row = await db.query<{ value: string }>(`SELECT value FROM ${meta} WHERE key = 'schema_version'`);
  return row.rows[0] ? Number(row.rows[0].value) : 0;
}

async function missingRoutines(db: Pool | PoolClient, routines: readonly JournalRoutine[]): Promise<JournalRoutine[]> {
  if (routines.length === 0) return [];
  const found = await db.query<{ present: boolean[] }>(
    "SELECT array_agg(to_regprocedure(s) IS NOT NULL ORDER BY n) AS present FROM unnest($1::text[]) WITH ORDINALITY AS u (s, n)",
    [routines.map((routine) => routine.signature)],
  );
  return routines.filter((_routine, i) => !found.rows[0]!.present[i]);
}

async function migrate(client: PoolClient, schema: string): Promise<void> {
  const current = await readVersion(client, schema);
  if (current > POSTGRES_JOURNAL_VERSION) {
    throw new Error(
      `The run journal in schema "${schema}" is at version ${current}; this sagaql understands up to ${POSTGRES_JOURNAL_VERSION}. Upgrade sagaql.`,
    );
  }
  const steps = postgresJournalMigrations(schema);
  for (let version = current + 1; version <= POSTGRES_JOURNAL_VERSION; version++)
    await client.query(steps[version - 1]!);
  await client.query(
    `INSERT INTO ${qualified(schema, "journal_meta")} (key, value) VALUES ('schema_version', $1)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    [String(POSTGRES_JOURNAL_VERSION)],
  );
}
