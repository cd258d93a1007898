import { POSTGRES_JOURNAL_VERSION } from "../../src/persistence/postgres/journal-schema-postgres.ts";
import pg from "pg";
import { describe, expect, onTestFinished, test } from "vitest";
import type { DurableRunJournalOptions } from "../../src/persistence/durable-run-journal-options.ts";
import {
  PostgresRunJournal,
  type PostgresRunJournalOptions,
} from "../../src/persistence/postgres/postgres-run-journal.ts";
import { retryUntil } from "../helpers/retry-until.ts";
import { durableRunJournalContract } from "./durable-run-journal.case.ts";
import { adminPool, TEST_POSTGRES_URL, uniqueSchemaName } from "./run-journal-databases.ts";
import { recordAllContract } from "./record-all.case.ts";
import { runJournalContract } from "./run-journal.case.ts";
import { newRunId, play, reference, RunScript } from "./run-journal-script.ts";

const admin = adminPool();

/** A schema of its own for one test, dropped when the test ends (after its stores have closed). */
function newSchema(): string {
  const schema = uniqueSchemaName("sagaql_rs");
  onTestFinished(async () => void (await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)));
  return schema;
}

async function openStore(options: Omit<PostgresRunJournalOptions, "connectionString">): Promise<PostgresRunJournal> {
  const store = await PostgresRunJournal.open({ connectionString: TEST_POSTGRES_URL, maxConnections: 4, ...options });
  onTestFinished(() => store.close());
  return store;
}

const factory = {
  fresh: (options: DurableRunJournalOptions = {}) => openStore({ ...options, schema: newSchema() }),
  sibling: (store: PostgresRunJournal, options: DurableRunJournalOptions = {}) =>
    openStore({ ...options, schema: store.schema }),
  openTogether: (count: number) => {
    const schema = newSchema();
    return Promise.all(Array.from({ length: count }, () => openStore({ schema })));
  },
};

runJournalContract("PostgresRunJournal", () => factory.fresh());
durableRunJournalContract("PostgresRunJournal", factory);
recordAllContract("PostgresRunJournal", factory);

/** Notifications on `channel`, as they arrive, to a connection of their own that LISTENs until the test ends. */
async function listen(channel: string): Promise<string[]> {
  const listener = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await listener.connect();
  onTestFinished(() => listener.end());
  const heard: string[] = [];
  listener.on("notification", (message) => {
    if (message.channel === channel) heard.push(message.payload ?? "");
  });
  await listener.query(`LISTEN "${channel}"`);
  return heard;
}

describe("PostgresRunJournal", () => {
  test("keeps its tables in a schema of its own", async () => {
    const store = await factory.fresh();
    const tables = await admin.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name",
      [store.schema],
    );
    expect(tables.rows.map((row) => row.table_name)).toEqual(["events", "journal_meta", "runs", "steps"]);
    const version = await admin.query(`SELECT value FROM "${store.schema}".journal_meta WHERE key = 'schema_version'`);
    expect(version.rows).toEqual([{ value: String(POSTGRES_JOURNAL_VERSION) }]);
  });

  test("records while the app's transaction is open, and keeps the record after that transaction rolls back", async () => {
    const store = await factory.fresh();
    const app = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await app.connect();
    onTestFinished(() => app.end());
    const script = new RunScript(newRunId(), ["reserve", "charge"]).completes(0, { reserved: true }).stepStarted(1);

    await app.query("BEGIN");
    await app.query(`CREATE TABLE "${store.schema}".orders (id text PRIMARY KEY)`);
    await app.query(`INSERT INTO "${store.schema}".orders VALUES ('o1')`);
    await play(store, script);
    await app.query("ROLLBACK");

    const orders = await admin.query("SELECT to_regclass($1) AS found", [`"${store.schema}".orders`]);
    expect(orders.rows[0].found).toBeNull();
    expect(await store.getRun(script.runId)).toStrictEqual(await reference(script));
  });

  test("refuses a journal written by a newer schema version", async () => {
    const store = await factory.fresh();
    await admin.query(`UPDATE "${store.schema}".journal_meta SET value = '99' WHERE key = 'schema_version'`);
    await expect(
      PostgresRunJournal.open({ connectionString: TEST_POSTGRES_URL, schema: store.schema }),
    ).rejects.toThrow(new RegExp(`version 99.*up to ${POSTGRES_JOURNAL_VERSION}\\b`));
  });

  test("works on a pool it is given and leaves that pool open when closed", async () => {
    const pool = new pg.Pool({ connectionString: TEST_POSTGRES_URL, max: 2 });
    onTestFinished(() => pool.end());
    const store = await PostgresRunJournal.open({ pool, schema: newSchema() });
    await play(store, new RunScript(newRunId(), ["s"]));
    await store.close();
    expect((await pool.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
  });

  test("keeps recording after its idle connections are terminated", async () => {
    const applicationName = uniqueSchemaName("journal_kill");
    const store = await openStore({ schema: newSchema(), applicationName });
    const script = new RunScript(newRunId(), ["a", "b"]).completes(0, 1);
    await play(store, script);
    const killed = await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
      [applicationName],
    );
    expect(killed.rowCount).toBeGreaterThan(0);
    await retryUntil(
      async () =>
        (await admin.query("SELECT 1 FROM pg_stat_activity WHERE application_name = $1", [applicationName]))
          .rowCount === 0,
      {
        what: "the journal's backends to exit",
      },
    );
    script.completes(1, 2).finished("COMPLETED", { result: 2 });
    for (const event of script.events.slice(3)) await store.record(event);
    expect(await store.getRun(script.runId)).toStrictEqual(await reference(script));
  });

  test.each(["after-commit", "in-transaction"] as const)(
    "announces every journaled event on <schema>_run_events as runId:seq (%s), parking included, refused batches not",
    async (announce) => {
      const store = await openStore({ schema: newSchema(), announce });
      const heard = await listen(store.channel);
      expect(store.channel).toBe(`${store.schema}_run_events`);

      const script = new RunScript(newRunId(), ["a", "b"]).completes(0, 1).stepStarted(1);
      await store.record(script.events[0]!);
      await store.recordAll!(script.events.slice(1));
      const missing = {
        type: "step-started",
        runId: script.runId,
        step: "z",
        index: 9,
        attempt: 1,
        at: new Date(),
      } as const;
      await expect(store.recordAll!([missing])).rejects.toThrow(/no step #9/);
      expect(await store.parkRun(script.runId, "gave up")).toBe(true);

      const journaled = await store.listEvents({ runId: script.runId });
      expect(journaled).toHaveLength(5);
      const expected = journaled.map((e) => `${script.runId}:${e.seq}`);
      await retryUntil(() => heard.length >= expected.length, { what: "a notification per journaled event" });
      expect([...heard].sort()).toEqual([...expected].sort());
    },
  );

  test("announces nothing but parked runs when announcements are off", async () => {
    const store = await openStore({ schema: newSchema(), announce: "off" });
    const heard = await listen(store.channel);
    const quiet = new RunScript(newRunId(), ["a"]).completes(0, 1).finished("COMPLETED", { result: 1 });
    await play(store, quiet);
    const parked = new RunScript(newRunId(), ["a"]);
    await play(store, parked);
    expect(await store.parkRun(parked.runId, "gave up")).toBe(true);
    const parkSeq = (await store.listEvents({ runId: parked.runId })).at(-1)!.seq;
    await retryUntil(() => heard.length > 0, { what: "the parking notification" });
    expect(heard).toEqual([`${parked.runId}:${parkSeq}`]);
  });

  test("rejects a schema name that is not a plain identifier", async () => {
    await expect(
      PostgresRunJournal.open({ connectionString: TEST_POSTGRES_URL, schema: 'x"; DROP TABLE y; --' }),
    ).rejects.toThrow(/Invalid journal schema name/);
  });
});
