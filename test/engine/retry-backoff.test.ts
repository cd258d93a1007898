/**
 * How long a retried step waits: `delay × backoff^(n-1)` before attempt n+1, never more than `maxDelay`,
 * and with `jitter` a random share of that. Fake timers make the waits exact and the tests instant.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import { runWorkflow, step, type RetryOptions } from "../../src/index.ts";
import { retryDelay } from "../../src/engine/execution/retry.ts";
import { createSqliteTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { RecordingLogger } from "./recording-logger.ts";

describe("retry backoff", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createSqliteTestDatabase();
  });
  afterAll(() => db?.close());
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  /** Runs a step that always fails under `retry`, and returns the waits between its attempts, in ms. */
  async function waitsBetweenAttempts(retry: RetryOptions): Promise<{ waits: number[]; logged: unknown[] }> {
    const startedAt: number[] = [];
    const logger = new RecordingLogger();
    const running = runWorkflow(
      db.driver,
      "backoff",
      [
        step(
          "call-api",
          () => {
            startedAt.push(Date.now());
            throw new Error("503 from the API");
          },
          null,
          { retry },
        ),
      ],
      { logger },
    );
    await vi.runAllTimersAsync();
    const outcome = await running;
    expect(outcome).toMatchObject({ ok: false, attempts: retry.maxAttempts });
    return {
      waits: startedAt.slice(1).map((at, index) => at - startedAt[index]!),
      logged: logger.at("warn").map((entry) => entry.details.delayMs),
    };
  }

  test("waits `delay` between attempts when there is no backoff", async () => {
    const { waits } = await waitsBetweenAttempts({ maxAttempts: 4, delay: 250 });

    expect(waits).toEqual([250, 250, 250]);
  });

  test("multiplies the wait by `backoff` after each failed attempt", async () => {
    const { waits, logged } = await waitsBetweenAttempts({ maxAttempts: 5, delay: 100, backoff: 2 });

    expect(waits).toEqual([100, 200, 400, 800]);
    expect(logged).toEqual([100, 200, 400, 800]);
  });

  test("never waits longer than maxDelay", async () => {
    const { waits } = await waitsBetweenAttempts({ maxAttempts: 5, delay: 100, backoff: 10, maxDelay: 5_000 });

    expect(waits).toEqual([100, 1_000, 5_000, 5_000]);
  });

  test("does not wait after the last attempt", async () => {
    const startedAt = Date.now();
    const { waits } = await waitsBetweenAttempts({ maxAttempts: 3, delay: 1_000 });

    expect(waits).toEqual([1_000, 1_000]);
    expect(Date.now() - startedAt).toBe(2_000);
  });

  test("with full jitter, waits a random time between 0 and the backoff wait", async () => {
    vi.spyOn(Math, "random").mockReturnValueOnce(0).mockReturnValueOnce(0.5).mockReturnValueOnce(0.999);
    const { waits } = await waitsBetweenAttempts({ maxAttempts: 4, delay: 1_000, backoff: 2, jitter: true });

    // random r takes (1 - r) of the wait: 0 → the whole wait, close to 1 → almost none.
    expect(waits).toEqual([1_000, 1_000, 4]);
  });

  test("with partial jitter n, waits between (1 - n) and 1 times the backoff wait", async () => {
    vi.spyOn(Math, "random")
      .mockReturnValueOnce(0)
      .mockReturnValueOnce(1 - Number.EPSILON);
    const { waits } = await waitsBetweenAttempts({ maxAttempts: 3, delay: 1_000, backoff: 3, jitter: 0.25 });

    expect(waits[0]).toBe(1_000);
    expect(waits[1]).toBeGreaterThanOrEqual(2_250);
    expect(waits[1]).toBeLessThanOrEqual(2_251);
  });
});

describe("retryDelay", () => {
  test("is delay × backoff^(n-1) for the wait after attempt n", () => {
    const retry = { maxAttempts: 10, delay: 50, backoff: 3 };

    expect([1, 2, 3, 4].map((attempt) => retryDelay(retry, attempt))).toEqual([50, 150, 450, 1_350]);
  });

  test("defaults to no wait at all", () => {
    expect(retryDelay({ maxAttempts: 3 }, 1)).toBe(0);
    expect(retryDelay({ maxAttempts: 3 }, 2)).toBe(0);
  });

  test("caps every wait at maxDelay, jitter included", () => {
    const retry = { maxAttempts: 10, delay: 1_000, backoff: 2, maxDelay: 3_000, jitter: true };

    expect(retryDelay(retry, 5, () => 0)).toBe(3_000);
  });

  test.each([
    { jitter: true as const, low: 0 },
    { jitter: 0.5, low: 400 },
    { jitter: 0.1, low: 720 },
  ])("stays within [$low, 800] with jitter $jitter, whatever the random draw", ({ jitter, low }) => {
    const retry = { maxAttempts: 10, delay: 200, backoff: 2, jitter };
    const draws = [0, 0.001, 0.25, 0.5, 0.75, 0.999, 1 - Number.EPSILON];

    for (const draw of draws) {
      const wait = retryDelay(retry, 3, () => draw);
      expect(wait).toBeGreaterThanOrEqual(low);
      expect(wait).toBeLessThanOrEqual(800);
    }
    expect(retryDelay(retry, 3, () => 0)).toBe(800);
  });

  test("spreads the waits of many runs apart with Math.random", () => {
    const retry = { maxAttempts: 2, delay: 1_000, jitter: true };
    const waits = Array.from({ length: 200 }, () => retryDelay(retry, 1));

    expect(Math.min(...waits)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...waits)).toBeLessThanOrEqual(1_000);
    expect(new Set(waits).size).toBeGreaterThan(150);
  });
});
