/**
 * Ids of runs without a journal: cheap to make, UUID-shaped, never repeated.
 */
import { describe, expect, test } from "vitest";
import { localRunId, randomRunId } from "../../src/engine/execution/run-id.ts";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("run ids", () => {
  test("local run ids are UUID v4 shaped", () => {
    for (let i = 0; i < 5_000; i++) expect(localRunId()).toMatch(UUID_V4);
  });

  test("local run ids never repeat", () => {
    const ids = new Set(Array.from({ length: 100_000 }, () => localRunId()));

    expect(ids.size).toBe(100_000);
  });

  test("random run ids are random UUIDs", () => {
    const ids = Array.from({ length: 100 }, () => randomRunId());

    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids.map((id) => id.slice(0, 8))).size).toBeGreaterThan(90);
  });
});
