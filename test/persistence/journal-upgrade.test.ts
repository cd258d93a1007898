/**
 * A journal written at version 2 (before run control) upgraded in place by the current code on open: its runs stay,
 * readable, and the new status can be written.
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { expect, onTestFinished, test } from "vitest";
import {
  postgresJournalMigrations,
  POSTGRES_JOURNAL_VERSION,
} from "../../src/persistence/postgres/journal-schema-postgres.ts";
import {
  SQLITE_JOURNAL_MIGRATIONS,
  SQLITE_JOURNAL_VERSION,
} from "../../src/persistence/sqlite/journal-schema-sqlite.ts";
import { PostgresRunJournal } from "../../src/persistence/postgres/postgres-run-journal.ts";
import { SqliteRunJournal } from "../../src/persistence/sqlite/sqlite-run-journal.ts";
import { createPostgresTestDatabase } from "../helpers/test-database.ts";

const AT = Date.UTC(2026, 10, 1);

test("a version 2 SQLite journal is upgraded on open: its runs stay, and a run can then end CANCELLED", () => {
  const dir = mkdtempSync(join(tmpdir(), "sagaql-journal-upgrade-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const filename = join(dir, "runs.db");
  const old = new Database(filename);
  old.exec("CREATE TABLE sagaql_journal_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  old.exec(SQLITE_JOURNAL_MIGRATIONS[0]!);
  old.exec(SQLITE_JOURNAL_MIGRATIONS[1]!);
  old.prepare("INSERT INTO sagaql_journal_meta (key, value) VALUES ('schema_version', '2')").run();
  old
    .prepare(
      `INSERT INTO sagaql_runs (id, workflow, status, input, input_hash, data, transactional, result, created_at, updated_at, start_seq, last_seq)
     VALUES ('old-run', 'order.checkout', 'COMPLETED', '{"paymentMethodId":"pm_card_visa"}', 'h', '{}', 1, '{"success":true}', ?, ?, 1, 9)`,
    )
    .run(AT, AT);
  old.close();

  const store = new SqliteRunJournal({ filename });
  onTestFinished(() => store.close());
  const raw = new Database(filename);
  onTestFinished(() => void raw.close());
  expect(raw.prepare("SELECT value FROM sagaql_journal_meta WHERE key = 'schema_version'").pluck().get()).toBe(
    String(SQLITE_JOURNAL_VERSION),
  );
  return (async () => {
    expect(await store.getRun("old-run")).toMatchObject({
      id: "old-run",
      workflow: "order.checkout",
      status: "COMPLETED",
      input: { paymentMethodId: "pm_card_visa" },
    });
    expect(() => raw.prepare("UPDATE sagaql_runs SET status = 'CANCELLED' WHERE id = 'old-run'").run()).not.toThrow();
  })();
});

test("a version 2 PostgreSQL journal is upgraded on open: its runs stay, and a run can then end CANCELLED", async () => {
  const db = await createPostgresTestDatabase();
  const pool = new pg.Pool({ connectionString: db.url });
  onTestFinished(async () => {
    await pool.end();
    await db.close();
  });
  const schema = "sagaql";
  const [v1, v2] = postgresJournalMigrations(schema);
  await pool.query(
    `CREATE SCHEMA "${schema}"; CREATE TABLE "${schema}".journal_meta (key text PRIMARY KEY, value text NOT NULL)`,
  );
  await pool.query(v1!);
  await pool.query(v2!);
  await pool.query(`INSERT INTO "${schema}".journal_meta (key, value) VALUES ('schema_version', '2')`);
  await pool.query(
    `INSERT INTO "${schema}".runs (id, workflow, status, input, input_hash, data, transactional, result, created_at, updated_at, start_seq, last_seq)
     VALUES ('old-run', 'order.checkout', 'COMPLETED', '{"paymentMethodId":"pm_card_visa"}', 'h', '{}', true, '{"success":true}', to_timestamp($1 / 1000.0), to_timestamp($1 / 1000.0), 1, 9)`,
    [AT],
  );

  const store = await PostgresRunJournal.open({ pool });
  onTestFinished(() => store.close());
  expect(
    (await pool.query(`SELECT value FROM "${schema}".journal_meta WHERE key = 'schema_version'`)).rows[0].value,
  ).toBe(String(POSTGRES_JOURNAL_VERSION));
  expect(await store.getRun("old-run")).toMatchObject({
    id: "old-run",
    workflow: "order.checkout",
    status: "COMPLETED",
    input: { paymentMethodId: "pm_card_visa" },
  });
  await pool.query(`UPDATE "${schema}".runs SET status = 'CANCELLED' WHERE id = 'old-run'`);
});
