import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SqliteRunJournal } from "../../src/persistence/sqlite/sqlite-run-journal.ts";
import type { DurableRunJournal } from "../../src/engine/journal/durable-run-journal.ts";
import type { RunEvent } from "../../src/engine/journal/run-events.ts";
import { crashOnJournalWrite, eventLabel } from "./crash-on-journal-write.ts";
import { crashKey, parseCrashPoint, type CrashPoint } from "./crash-point.ts";

/** Stands for the SIGKILL: it stops the write path the same way, without killing the test. */
class Crashed extends Error {
  constructor(
    readonly point: CrashPoint,
    readonly events: readonly RunEvent[],
  ) {
    super("crashed");
  }
}

let dir: string;
let store: SqliteRunJournal;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "sagaql-crash-wrapper-"));
  store = new SqliteRunJournal({ filename: join(dir, "journal.db") });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function wrapped(options: { point?: string; fromKeys?: boolean; recoveryPoint?: string }): DurableRunJournal {
  return crashOnJournalWrite({
    point: options.point ? parseCrashPoint(options.point) : undefined,
    fromKeys: options.fromKeys,
    recoveryPoint: options.recoveryPoint ? parseCrashPoint(options.recoveryPoint) : undefined,
    crash: (point, events) => {
      throw new Crashed(point, events);
    },
  })(store);
}

const at = new Date();
function started(runId: string, idempotencyKey?: string): RunEvent {
  return {
    type: "run-started",
    runId,
    workflow: "order.checkout",
    steps: ["a", "b"],
    input: {},
    data: {},
    resourceId: undefined,
    transactional: false,
    idempotencyKey,
    at,
  };
}
function stepStarted(runId: string, step: string, index: number): RunEvent {
  return { type: "step-started", runId, step, index, attempt: 1, at };
}

async function journaled(runId: string): Promise<string[]> {
  return (await store.listEvents({ runId })).map(({ event }) => eventLabel(event));
}

describe("crashOnJournalWrite", () => {
  it("crashes before the write carrying the event, so the journal never gets it", async () => {
    const journal = wrapped({ point: "before:step-started:b" });
    await journal.record(started("r1"));
    await journal.record(stepStarted("r1", "a", 0));
    await expect(journal.record(stepStarted("r1", "b", 1))).rejects.toBeInstanceOf(Crashed);
    expect(await journaled("r1")).toEqual(["run-started", "step-started:a"]);
  });

  it("crashes after a batch that carries the event, once the whole batch is durable", async () => {
    const journal = wrapped({ point: "after:step-started:a" });
    await expect(
      journal.recordAll!([started("r2"), stepStarted("r2", "a", 0), stepStarted("r2", "b", 1)]),
    ).rejects.toBeInstanceOf(Crashed);
    expect(await journaled("r2")).toEqual(["run-started", "step-started:a", "step-started:b"]);
  });

  it("arms only the runs whose idempotency key names a crash, and never a run it did not see start", async () => {
    const journal = wrapped({ fromKeys: true });
    await journal.record(started("plain", "some-key"));
    await journal.record(stepStarted("plain", "a", 0));
    await store.record(started("recovered", crashKey(parseCrashPoint("before:step-started"), "n1")));
    await journal.record(stepStarted("recovered", "a", 0));
    await journal.record(started("armed", crashKey(parseCrashPoint("before:step-started"), "n2")));
    const crash = await journal.record(stepStarted("armed", "a", 0)).catch((error: unknown) => error);
    expect(crash).toBeInstanceOf(Crashed);
    expect((crash as Crashed).events.map(eventLabel)).toEqual(["step-started:a"]);
  });

  it("arms the runs it recovers, and only those, with the recovery point", async () => {
    const journal = wrapped({ recoveryPoint: "before:compensation-started" });
    await store.record(started("recovered"));
    await journal.record(started("fresh"));
    await journal.record({ type: "compensation-started", runId: "fresh", step: "a", index: 0, attempt: 1, at });
    await expect(
      journal.record({ type: "compensation-started", runId: "recovered", step: "a", index: 0, attempt: 1, at }),
    ).rejects.toBeInstanceOf(Crashed);
    expect(await journaled("recovered")).toEqual(["run-started"]);
  });

  it("passes every other call to the real store", async () => {
    const journal = wrapped({});
    await journal.record(started("r3"));
    expect(journal.owner).toBe(store.owner);
    expect((await journal.getRun("r3"))?.status).toBe("RUNNING");
  });
});
