import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PostgresRunEventFeed } from "../../src/persistence/postgres/postgres-run-event-feed.ts";
import { PostgresRunJournal } from "../../src/persistence/postgres/postgres-run-journal.ts";
import { SqliteRunEventFeed } from "../../src/persistence/sqlite/sqlite-run-event-feed.ts";
import { SqliteRunJournal } from "../../src/persistence/sqlite/sqlite-run-journal.ts";
import { isDurableRunJournal } from "../../src/engine/journal/durable-run-journal.ts";
import { announcingRunJournal } from "../../src/engine/journal/run-event-feed.ts";
import type { RunEvent } from "../../src/engine/journal/run-events.ts";
import { silentLogger } from "../../src/engine/logger.ts";
import { retryUntil } from "../helpers/retry-until.ts";

const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

function started(runId: string): RunEvent {
  return {
    type: "run-started",
    runId,
    at: new Date(),
    workflow: "feed.test",
    steps: ["a"],
    input: {},
    data: {},
    resourceId: undefined,
    transactional: false,
    idempotencyKey: undefined,
  };
}

function stepStarted(runId: string): RunEvent {
  return { type: "step-started", runId, at: new Date(), step: "a", index: 0, attempt: 1 };
}

/** Records what a subscriber was told: the sequence number, or null for a bare wake-up. */
function recorder(): { heard: Array<number | null>; listener: (seq: number | undefined) => void } {
  const heard: Array<number | null> = [];
  return { heard, listener: (seq) => heard.push(seq ?? null) };
}

describe("PostgresRunEventFeed", () => {
  // A schema of its own gives the feed a channel no other test announces on.
  const schema = `feed_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const applicationName = `sagaql-feed-test-${randomUUID().slice(0, 8)}`;
  let admin: pg.Client;
  let feed: PostgresRunEventFeed;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    feed = await PostgresRunEventFeed.open({
      connectionString: POSTGRES_URL,
      schema,
      applicationName,
      reconnectDelayMs: 20,
      logger: silentLogger,
    });
  });
  afterAll(async () => {
    await feed?.close();
    await admin?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin?.end();
  });

  const notify = (payload: string) => admin.query("SELECT pg_notify($1, $2)", [feed.channel, payload]);

  it("tells the subscribers of a run about each notification of that run, and no one else", async () => {
    const mine = recorder();
    const other = recorder();
    const unsubscribe = feed.subscribe("run-1", mine.listener);
    feed.subscribe("run-2", other.listener)();
    await notify("run-1:41");
    await notify("run-2:42");
    await notify("run-1:43");
    await retryUntil(() => mine.heard.length === 2, { what: "two notifications" });
    expect(mine.heard).toEqual([41, 43]);
    expect(other.heard).toEqual([]);
    unsubscribe();
    expect(feed.subscriberCount).toBe(0);
  });

  it("hears every event a PostgresRunJournal journals, once committed, with its sequence number", async () => {
    const store = await PostgresRunJournal.open({ connectionString: POSTGRES_URL, schema, maxConnections: 2 });
    try {
      const runId = `run-${randomUUID()}`;
      const { heard, listener } = recorder();
      const unsubscribe = feed.subscribe(runId, listener);
      await store.record(started(runId));
      await store.record(stepStarted(runId));
      await retryUntil(() => heard.length === 2, { what: "two journaled events" });
      const events = await store.listEvents({ runId });
      expect(heard).toEqual(events.map((event) => event.seq));
      unsubscribe();
    } finally {
      await store.close();
    }
  });

  it("reconnects when its connection is terminated, wakes every subscriber, and hears later notifications", async () => {
    const { heard, listener } = recorder();
    const unsubscribe = feed.subscribe("run-3", listener);
    const { rowCount } = await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
      [applicationName],
    );
    expect(rowCount).toBe(1);

    // Notifications sent while it was down are lost: the wake-up after reconnecting makes up for them.
    await retryUntil(() => heard.includes(null), { what: "the wake-up after reconnecting" });
    expect(feed.listening).toBe(true);
    await notify("run-3:7");
    await retryUntil(() => heard.includes(7), { what: "a notification on the new connection" });
    unsubscribe();
  });
});

describe("SqliteRunEventFeed", () => {
  let dir: string;
  const closers: Array<() => Promise<void>> = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "sagaql-feed-"));
  });
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const open = (filename: string, intervalMs = 10) => {
    // Two stores on one file: what two processes sharing the journal each have.
    const writer = new SqliteRunJournal({ filename });
    const reader = new SqliteRunJournal({ filename });
    const feed = new SqliteRunEventFeed({ store: reader, intervalMs, logger: silentLogger });
    closers.push(
      () => feed.close(),
      () => reader.close(),
      () => writer.close(),
    );
    return { writer, feed };
  };

  it("reads the journal only while someone is subscribed", () => {
    const { feed } = open(join(dir, "idle.journal.db"));
    expect(feed.polling).toBe(false);
    const first = feed.subscribe("run-1", () => undefined);
    const second = feed.subscribe("run-2", () => undefined);
    expect(feed.polling).toBe(true);
    first();
    expect(feed.polling).toBe(true);
    second();
    second();
    expect(feed.polling).toBe(false);
    expect(feed.subscriberCount).toBe(0);
  });

  it("tells the subscribers of a run what another connection journals, up to its latest sequence number", async () => {
    const { writer, feed } = open(join(dir, "shared.journal.db"));
    const runId = `run-${randomUUID()}`;
    const { heard, listener } = recorder();
    const unsubscribe = feed.subscribe(runId, listener);
    await writer.record(started(runId));
    const [first] = await writer.listEvents({ runId });
    await retryUntil(() => heard.includes(first!.seq), { what: "the run-started event" });

    await writer.record(stepStarted(runId));
    const [, second] = await writer.listEvents({ runId });
    await retryUntil(() => heard.includes(second!.seq), { what: "the step-started event" });
    // Each event once, in order: a sequence number told twice would be a transition replayed.
    expect(heard).toEqual([first!.seq, second!.seq]);
    unsubscribe();
  });

  it("reads a run at once when this process's store announces it, without waiting for the next tick", async () => {
    // An interval no test outlives: only the announcement can make the feed read.
    const { writer, feed } = open(join(dir, "announced.journal.db"), 600_000);
    const store = announcingRunJournal(writer, feed);
    expect(store).toBeInstanceOf(SqliteRunJournal);
    expect(isDurableRunJournal(store)).toBe(true);
    const runId = `run-${randomUUID()}`;
    const { heard, listener } = recorder();
    feed.subscribe(runId, listener);
    await store.record(started(runId));
    await store.recordAll!([stepStarted(runId)]);
    const events = await store.listEvents({ runId });
    await retryUntil(() => heard.at(-1) === events.at(-1)!.seq, { what: "the announced events" });
    expect(events.map((event) => event.event.type)).toEqual(["run-started", "step-started"]);
    // Announcements may coalesce, but never go back or repeat.
    expect(heard.every((seq, i) => seq !== null && (i === 0 || seq > heard[i - 1]!))).toBe(true);
    expect(events.map((event) => event.seq)).toEqual(expect.arrayContaining(heard as number[]));
  });

  it("leaves a store unwrapped for a feed the database notifies (no announce)", async () => {
    const store = new SqliteRunJournal({ filename: join(dir, "plain.journal.db") });
    closers.push(() => store.close());
    const feed = { subscribe: () => () => undefined, close: async () => undefined };
    expect(announcingRunJournal(store, feed)).toBe(store);
  });
});
