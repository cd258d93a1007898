/**
 * Opening the PostgreSQL journal while the database drops connections (a restarting server, an operator's
 * `pg_terminate_backend`): the open waits it out instead of failing the process's start.
 */
import pg from "pg";
import { expect, onTestFinished, test } from "vitest";
import { PostgresRunJournal } from "../../src/persistence/postgres/postgres-run-journal.ts";
import { terminatedConnection } from "../helpers/failing-reads.ts";
import { createPostgresTestDatabase } from "../helpers/test-database.ts";

test("a journal whose first queries lose their connection still opens, with its id", async () => {
  const db = await createPostgresTestDatabase();
  const pool = new pg.Pool({ connectionString: db.url });
  onTestFinished(async () => {
    await pool.end();
    await db.close();
  });
  let dropped = 0;
  const dropping = new Proxy(pool, {
    get(object, property) {
      const value = Reflect.get(object, property, object) as unknown;
      if (property !== "query")
        return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(object) : value;
      return (...args: unknown[]) =>
        dropped++ < 2
          ? Promise.reject(terminatedConnection())
          : (object.query as (...a: unknown[]) => unknown)(...args);
    },
  });

  const store = await PostgresRunJournal.open({ pool: dropping });

  expect(dropped).toBeGreaterThan(2);
  expect(store.journalId).toMatch(/^[0-9a-f-]{36}$/);
  const again = await PostgresRunJournal.open({ pool });
  expect(again.journalId).toBe(store.journalId);
});
