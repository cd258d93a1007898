import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SqliteRunJournal } from "../../src/persistence/sqlite/sqlite-run-journal.ts";
import { RunRetention } from "../../src/engine/journal/run-retention.ts";
import { RecordingLogger } from "../engine/recording-logger.ts";
import { temporaryDirectory } from "./run-journal-databases.ts";
import { failure, newRunId, play, RunScript, T0 } from "./run-journal-script.ts";

const DAY = 24 * 60 * 60 * 1000;
const dir = temporaryDirectory("retention");
const stores: SqliteRunJournal[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

describe("RunRetention", () => {
  it("prunes, batch by batch, the finished runs older than its age, and keeps recent and unfinished ones", async () => {
    const store = new SqliteRunJournal({ filename: join(dir, `${newRunId()}.db`), owner: "runner" });
    stores.push(store);
    const old = [];
    for (let i = 0; i < 5; i++) {
      const script = new RunScript(newRunId("old"), ["a"])
        .completes(0, i)
        .finished(i % 2 === 0 ? "COMPLETED" : "COMPENSATED", i % 2 === 0 ? { result: i } : { error: failure("no") });
      await play(store, script);
      old.push(script.runId);
    }
    const recent = new RunScript(newRunId("recent"), ["a"], { startAt: Date.now() - T0 })
      .completes(0, 1)
      .finished("COMPLETED", { result: 1 });
    const running = new RunScript(newRunId("running"), ["a"]).stepStarted(0);
    await play(store, recent);
    await play(store, running);
    const logger = new RecordingLogger();

    const retention = new RunRetention({ store, maxAgeMs: DAY, batchSize: 2, logger });
    const pruned = await retention.start();
    await retention.stop();

    expect(pruned).toBe(5);
    for (const runId of old) expect(await store.getJournaledRun(runId)).toBeNull();
    expect(await store.getJournaledRun(recent.runId)).not.toBeNull();
    expect(await store.getJournaledRun(running.runId)).toMatchObject({ run: { status: "RUNNING" } });
    expect(logger.at("info")).toEqual([
      expect.objectContaining({ message: "pruned finished runs", details: expect.objectContaining({ pruned: 5 }) }),
    ]);
  });

  it("logs a failed pass and does not reject", async () => {
    const store = new SqliteRunJournal({ filename: join(dir, `${newRunId()}.db`) });
    store.close();
    const logger = new RecordingLogger();
    expect(await new RunRetention({ store, logger }).pruneNow()).toBe(0);
    expect(logger.at("error")).toHaveLength(1);
  });
});
