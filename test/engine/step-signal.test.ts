/**
 * `ctx.signal` aborts an attempt when its timeout fires, with the StepTimeoutError as its reason, so that work
 * passed the signal really stops. Every attempt and every compensation attempt with a timeout has a signal of its
 * own; without a timeout, one shared signal that never aborts. What an aborted attempt does late is fenced off.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { InMemoryRunJournal, runWorkflow, step, StepTimeoutError, type StepContext } from "../../src/index.ts";
import { createSqliteTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { Latch } from "../helpers/latch.ts";
import type { RunEvent } from "../../src/engine/journal/run-events.ts";
import { RecordingLogger } from "./recording-logger.ts";

/** The in-memory journal, also keeping every event it was given, to show what the journal received. */
class EventKeepingStore extends InMemoryRunJournal {
  readonly events: RunEvent[] = [];

  override async record(event: RunEvent): Promise<void> {
    this.events.push(structuredClone(event));
    return super.record(event);
  }
}

describe("step signal", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createSqliteTestDatabase();
  });
  afterAll(() => db?.close());

  const options = () => ({ logger: new RecordingLogger() });

  /** Waits for `signal` and never settles otherwise: the way a step honours it. */
  const untilAborted = (signal: AbortSignal) =>
    new Promise<never>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));

  test("aborts when the timeout fires, with the StepTimeoutError as its reason", async () => {
    const seen: AbortSignal[] = [];
    const outcome = await runWorkflow(
      db.driver,
      "signal-timeout",
      [
        step(
          "call-carrier",
          (ctx) => {
            seen.push(ctx.signal);
            return untilAborted(ctx.signal);
          },
          null,
          { timeout: 30 },
        ),
      ],
      options(),
    );

    expect(outcome).toMatchObject({ ok: false, cause: { name: "StepTimeoutError" } });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.aborted).toBe(true);
    expect(seen[0]!.reason).toBeInstanceOf(StepTimeoutError);
    expect(seen[0]!.reason).toMatchObject({ stepName: "call-carrier", timeoutMs: 30 });
  });

  test("stops a fetch that was passed the signal: the server sees the request abandoned", async () => {
    const closed = new Latch();
    const server: Server = createServer((request, response) => {
      // Never answers: only the client giving up ends the request.
      response.on("close", () => closed.open());
      request.resume();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/charge`;
    try {
      const outcome = await runWorkflow(
        db.driver,
        "signal-fetch",
        [step("charge", (ctx) => fetch(url, { signal: ctx.signal }), null, { timeout: 100 })],
        options(),
      );

      expect(outcome).toMatchObject({ ok: false, cause: { name: "StepTimeoutError" } });
      await expect(Promise.race([closed.wait().then(() => "closed"), delay(2_000, "still open")])).resolves.toBe(
        "closed",
      );
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test("gives the next attempt a fresh signal, not aborted", async () => {
    const seen: AbortSignal[] = [];
    const outcome = await runWorkflow(
      db.driver,
      "signal-retry",
      [
        step(
          "call-carrier",
          async (ctx) => {
            seen.push(ctx.signal);
            if (ctx.attempt === 1) await untilAborted(ctx.signal);
            return `label_${ctx.attempt}`;
          },
          null,
          { timeout: 30, retry: { maxAttempts: 2 } },
        ),
      ],
      options(),
    );

    expect(outcome).toMatchObject({ ok: true, result: "label_2" });
    expect(seen).toHaveLength(2);
    expect(seen[0]).not.toBe(seen[1]);
    expect(seen.map((signal) => signal.aborted)).toEqual([true, false]);
  });

  test("gives a compensation with a timeout a signal of its own, aborted by its own timeout", async () => {
    const seen: Record<string, AbortSignal> = {};
    const outcome = await runWorkflow(
      db.driver,
      "signal-compensation",
      [
        step(
          "charge",
          (ctx) => {
            seen.execute = ctx.signal;
            return "ch_1";
          },
          (ctx) => {
            seen.compensate = ctx.signal;
            return untilAborted(ctx.signal);
          },
          { timeout: 30 },
        ),
        step("ship", () => {
          throw new Error("Shipping refused");
        }),
      ],
      options(),
    );

    expect(outcome).toMatchObject({
      status: "FAILED",
      failedCompensations: [{ step: "charge", error: { name: "StepTimeoutError" } }],
    });
    expect(seen.compensate).not.toBe(seen.execute);
    expect(seen.execute!.aborted).toBe(false);
    expect(seen.compensate!.aborted).toBe(true);
    expect(seen.compensate!.reason).toBeInstanceOf(StepTimeoutError);
  });

  test("without a timeout, every step and compensation shares one signal that never aborts", async () => {
    const seen: AbortSignal[] = [];
    const note = (ctx: StepContext) => void seen.push(ctx.signal);
    const steps = [
      step("reserve", note, note),
      step("charge", note, note),
      step("ship", () => {
        throw new Error("Shipping refused");
      }),
    ];
    await runWorkflow(db.driver, "signal-none-1", steps, options());
    await runWorkflow(db.driver, "signal-none-2", steps, options());

    expect(seen).toHaveLength(8);
    expect(new Set(seen).size).toBe(1);
    expect(seen[0]!.aborted).toBe(false);
  });

  test("fences a late result: never journaled, never used, and its late set is refused", async () => {
    const store = new EventKeepingStore();
    const lateDone = new Latch<unknown>();
    const outcome = await runWorkflow(
      db.driver,
      "fenced-quote",
      [
        step(
          "quote",
          async (ctx) => {
            if (ctx.attempt > 1) {
              ctx.set("quote", "fresh");
              return "fresh";
            }
            // Ignores the signal on purpose: it answers well after its timeout.
            await delay(120);
            try {
              ctx.set("quote", "late");
              lateDone.open("set accepted");
            } catch (error) {
              lateDone.open(error);
            }
            return "late";
          },
          null,
          { timeout: 30, retry: { maxAttempts: 2 } },
        ),
        step("read", (ctx) => ctx.get("quote")),
      ],
      { ...options(), store },
    );

    expect(outcome).toMatchObject({ ok: true, result: "fresh" });
    await expect(lateDone.wait()).resolves.toBeInstanceOf(StepTimeoutError);
    const run = await store.getRun(outcome.runId);
    expect(run?.steps[0]).toMatchObject({ status: "COMPLETED", attempts: 2, result: "fresh" });
    expect(run?.data).toEqual({ quote: "fresh" });
    expect(store.events.map((event) => event.type)).toContain("step-completed");
    expect(JSON.stringify(store.events)).not.toContain('"late"');
  });

  test("rolls back a database step's late transaction: only the attempt that won writes its row", async () => {
    const store = new InMemoryRunJournal();
    const outcome = await runWorkflow(
      db.driver,
      "fenced-write",
      [
        step(
          "add-product",
          async (ctx) => {
            if (ctx.attempt === 1) await delay(130);
            const row = await ctx.driver.create("product", {
              sku: `FENCE-${ctx.attempt}`,
              name: "Lamp",
              price: 12,
              stock: 1,
            });
            return row.sku as string;
          },
          null,
          { effect: "database", timeout: 100, retry: { maxAttempts: 2 } },
        ),
      ],
      { ...options(), store },
    );

    expect(outcome, JSON.stringify(outcome)).toMatchObject({ ok: true, result: "FENCE-2" });
    // The first attempt's transaction ends after its late write; give it the time to.
    await delay(300);
    const rows = await db.driver.findMany("product", { where: { name: "Lamp" } });
    expect(rows.map((row) => row.sku)).toEqual(["FENCE-2"]);
  });
});
