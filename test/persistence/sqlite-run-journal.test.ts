import { SQLITE_JOURNAL_VERSION } from "../../src/persistence/sqlite/journal-schema-sqlite.ts";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import Sqlite from "better-sqlite3";
import { describe, expect, onTestFinished, test } from "vitest";
import type { DurableRunJournalOptions } from "../../src/persistence/durable-run-journal-options.ts";
import { journalPathFor } from "../../src/persistence/open-run-journal.ts";
import { SqliteRunJournal, type SqliteRunJournalOptions } from "../../src/persistence/sqlite/sqlite-run-journal.ts";
import { durableRunJournalContract } from "./durable-run-journal.case.ts";
import { temporaryDirectory } from "./run-journal-databases.ts";
import { recordAllContract } from "./record-all.case.ts";
import { runJournalContract } from "./run-journal.case.ts";
import { newRunId, play, reference, RunScript } from "./run-journal-script.ts";

const dir = temporaryDirectory("sqlite-run-journal");
let files = 0;
const newJournalFile = () => join(dir, `journal-${files++}.db`);

function openStore(options: SqliteRunJournalOptions): SqliteRunJournal {
  const store = new SqliteRunJournal(options);
  onTestFinished(() => store.close());
  return store;
}

const factory = {
  fresh: async (options: DurableRunJournalOptions = {}) => openStore({ ...options, filename: newJournalFile() }),
  sibling: async (store: SqliteRunJournal, options: DurableRunJournalOptions = {}) =>
    openStore({ ...options, filename: store.filename }),
  // better-sqlite3 is synchronous, so in one process these open one after the other; the cross-process race is below.
  openTogether: async (count: number) => {
    const filename = newJournalFile();
    return Array.from({ length: count }, () => openStore({ filename }));
  },
};

runJournalContract("SqliteRunJournal", () => factory.fresh());
durableRunJournalContract("SqliteRunJournal", factory);
recordAllContract("SqliteRunJournal", factory);

describe("SqliteRunJournal", () => {
  test("runs its connection in WAL mode with synchronous=FULL and a busy timeout", () => {
    const store = openStore({ filename: newJournalFile() });
    expect(store.settings()).toEqual({ journalMode: "WAL", synchronous: "FULL", busyTimeoutMs: 5000 });
    const relaxed = openStore({ filename: store.filename, synchronous: "NORMAL", busyTimeoutMs: 250 });
    expect(relaxed.settings()).toEqual({ journalMode: "WAL", synchronous: "NORMAL", busyTimeoutMs: 250 });
  });

  test("records while the app database is write-locked by a transaction, and keeps the record after its rollback", async () => {
    const appFile = join(dir, "app.db");
    const app = new Sqlite(appFile);
    onTestFinished(() => void app.close());
    app.pragma("journal_mode = WAL");
    app.exec("CREATE TABLE orders (id TEXT PRIMARY KEY, status TEXT)");
    const store = openStore({ filename: journalPathFor(appFile) });
    const script = new RunScript(newRunId(), ["reserve", "charge"]).completes(0, { reserved: true }).stepStarted(1);

    app.exec("BEGIN IMMEDIATE");
    app.prepare("INSERT INTO orders VALUES ('o1', 'completed')").run();
    await play(store, script);
    app.exec("ROLLBACK");

    expect(app.prepare("SELECT count(*) FROM orders").pluck().get()).toBe(0);
    expect(await store.getRun(script.runId)).toStrictEqual(await reference(script));
  });

  test("creates its tables once when several processes open a new journal file together", async () => {
    const filename = newJournalFile();
    const results = await inProcesses(["p1", "p2", "p3", "p4"].map((owner) => ["open", filename, owner]));
    expect(results.map((r) => r.recorded).sort()).toEqual(["p1-run", "p2-run", "p3-run", "p4-run"]);
    const store = openStore({ filename });
    expect(await store.listRuns()).toHaveLength(4);
    const raw = new Sqlite(filename, { readonly: true });
    onTestFinished(() => void raw.close());
    expect(raw.prepare("SELECT key, value FROM sagaql_journal_meta").all()).toEqual([
      { key: "schema_version", value: String(SQLITE_JOURNAL_VERSION) },
    ]);
  });

  test("of several processes claiming one run at once, exactly one wins", async () => {
    const store = openStore({ filename: newJournalFile(), leaseMs: 0 });
    const script = new RunScript(newRunId(), ["s"]).stepStarted(0);
    await play(store, script);
    const owners = ["c1", "c2", "c3", "c4"];
    const results = await inProcesses(owners.map((owner) => ["claim", store.filename, owner, script.runId]));
    const winners = results.filter((r) => r.lease !== null);
    expect(winners).toHaveLength(1);
    expect((await store.getJournaledRun(script.runId))!.owner).toBe((winners[0]!.lease as { owner: string }).owner);
  });

  test("keeps every recorded event when its process is killed (SIGKILL) right after recording", async () => {
    const filename = newJournalFile();
    const runId = newRunId("killed");
    const child = startProcess(["record-and-hang", filename, "doomed", runId]);
    await child.ready();
    child.go();
    expect(await child.result()).toEqual({ recorded: 3 });
    child.process.kill("SIGKILL");
    await once(child.process, "exit");
    const store = openStore({ filename });
    expect(await store.getJournaledRun(runId)).toMatchObject({
      owner: "doomed",
      run: {
        status: "RUNNING",
        input: { amount: 5 },
        data: { chargeId: "ch_1" },
        steps: [{ status: "COMPLETED", result: { id: "ch_1" } }, { status: "PENDING" }],
      },
    });
  });

  test("refuses a journal written by a newer schema version", () => {
    const filename = newJournalFile();
    openStore({ filename }).close();
    const raw = new Sqlite(filename);
    raw.prepare("UPDATE sagaql_journal_meta SET value = '99' WHERE key = 'schema_version'").run();
    raw.close();
    expect(() => new SqliteRunJournal({ filename })).toThrow(
      new RegExp(`schema version 99.*up to ${SQLITE_JOURNAL_VERSION}\\b`),
    );
  });

  test("creates the journal's directory when it is missing", async () => {
    const store = openStore({ filename: join(dir, "nested", "deeper", "app.journal.db") });
    await play(store, new RunScript(newRunId(), ["s"]));
    expect(await store.listRuns()).toHaveLength(1);
  });
});

const FIXTURE = fileURLToPath(new URL("./run-journal-process.fixture.ts", import.meta.url));

/** A fixture process: it prints "ready", acts on "go", prints its result as one JSON line. */
function startProcess(args: string[]) {
  const child = spawn(process.execPath, ["--import", "tsx", FIXTURE, ...args], { stdio: ["pipe", "pipe", "inherit"] });
  onTestFinished(() => void child.kill("SIGKILL"));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    process: child,
    ready: async () => expect((await lines.next()).value).toBe("ready"),
    go: () => child.stdin.write("go\n"),
    result: async () => JSON.parse((await lines.next()).value as string) as Record<string, unknown>,
    exitCode: async () => (child.exitCode ?? (await once(child, "exit"))[0]) as number,
  };
}

/** Starts one process per argument list, lets them all act at the same moment, and returns what each printed. */
async function inProcesses(argLists: string[][]): Promise<Record<string, unknown>[]> {
  const children = argLists.map(startProcess);
  await Promise.all(children.map((child) => child.ready()));
  for (const child of children) child.go();
  const results = await Promise.all(children.map((child) => child.result()));
  expect(await Promise.all(children.map((child) => child.exitCode()))).toEqual(argLists.map(() => 0));
  return results;
}
