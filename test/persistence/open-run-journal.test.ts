import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, onTestFinished, test } from "vitest";
import { journalPathFor, openRunJournal } from "../../src/persistence/open-run-journal.ts";
import { PostgresRunJournal } from "../../src/persistence/postgres/postgres-run-journal.ts";
import { SqliteRunJournal } from "../../src/persistence/sqlite/sqlite-run-journal.ts";
import { adminPool, temporaryDirectory, TEST_POSTGRES_URL, uniqueSchemaName } from "./run-journal-databases.ts";
import { newRunId, play, RunScript } from "./run-journal-script.ts";

const dir = temporaryDirectory("open-run-journal");
const admin = adminPool();

describe("journalPathFor", () => {
  test("puts .journal before the app database's extension", () => {
    expect(journalPathFor("data/app.db")).toBe("data/app.journal.db");
    expect(journalPathFor("file:./data/app.db")).toBe("./data/app.journal.db");
    expect(journalPathFor("file:dev.sqlite?connection_limit=1")).toBe("dev.journal.sqlite");
    expect(journalPathFor("file:///var/lib/shop/app.db")).toBe("/var/lib/shop/app.journal.db");
    expect(journalPathFor("data/app")).toBe("data/app.journal.db");
  });

  test("keeps a path that already names a journal, and an in-memory database in memory", () => {
    expect(journalPathFor("data/app.journal.db")).toBe("data/app.journal.db");
    expect(journalPathFor(":memory:")).toBe(":memory:");
  });

  test("refuses a URL that names no file", () => {
    expect(() => journalPathFor("file:")).toThrow(/names no SQLite file/);
  });
});

describe("openRunJournal", () => {
  test("opens a SQLite journal next to a SQLite app database", async () => {
    const appFile = join(dir, "shop.db");
    const store = await openRunJournal(pathToFileURL(appFile).href);
    onTestFinished(() => store.close());
    expect(store).toBeInstanceOf(SqliteRunJournal);
    expect((store as SqliteRunJournal).filename).toBe(join(dir, "shop.journal.db"));
    await play(store, new RunScript(newRunId(), ["s"]));
    expect(await store.listRuns()).toHaveLength(1);
  });

  test("opens a PostgreSQL journal for a postgresql:// URL, ignoring Prisma's query parameters", async () => {
    const schema = uniqueSchemaName("sagaql_open");
    onTestFinished(async () => void (await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)));
    const store = await openRunJournal(`${TEST_POSTGRES_URL}?schema=public&connection_limit=5`, {
      schema,
      owner: "web-1",
    });
    onTestFinished(() => store.close());
    expect(store).toBeInstanceOf(PostgresRunJournal);
    expect(store.owner).toBe("web-1");
    await play(store, new RunScript(newRunId(), ["s"]));
    expect(await store.listRuns()).toHaveLength(1);
  });
});
