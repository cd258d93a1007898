import { describe, expect, test } from "vitest";
import {
  decodeJournalValue,
  encodeJournalValue,
  hashRunInput,
  JournalEncodingError,
} from "../../src/persistence/run-journal-json.ts";

const roundTrip = (value: unknown) => decodeJournalValue(encodeJournalValue(value, "the value"));

describe("journal JSON values", () => {
  test("round-trips JSON values unchanged, key order included", () => {
    const value = { z: 1, a: [true, null, "text", 2.5, { nested: ["x"] }], m: { "": 0 } };
    expect(encodeJournalValue(value, "v")).toBe(JSON.stringify(value));
    expect(roundTrip(value)).toStrictEqual(value);
  });

  test("brings Dates back as Dates, at any depth", () => {
    const at = new Date(Date.UTC(2026, 2, 3, 4, 5, 6, 789));
    expect(roundTrip(at)).toStrictEqual(at);
    expect(roundTrip({ list: [{ at }], at })).toStrictEqual({ list: [{ at }], at });
    expect(Number.isNaN((roundTrip(new Date(Number.NaN)) as Date).getTime())).toBe(true);
  });

  test("does not mistake an object that looks like a Date tag for a Date", () => {
    const lookalikes = [{ "$sagaql.date": "2026-01-01T00:00:00.000Z" }, { "$sagaql.escape": { "$sagaql.date": "x" } }];
    expect(roundTrip(lookalikes)).toStrictEqual(lookalikes);
  });

  test("keeps undefined apart from null: undefined is SQL NULL", () => {
    expect(encodeJournalValue(undefined, "v")).toBeNull();
    expect(decodeJournalValue(null)).toBeUndefined();
    expect(roundTrip(null)).toBeNull();
  });

  test("keeps a __proto__ key as data, not as a prototype", () => {
    const value = JSON.parse(
      '{"__proto__": {"at": 1}, "when": {"$sagaql.date": "2026-01-01T00:00:00.000Z"}}',
    ) as Record<string, unknown>;
    const decoded = roundTrip(value) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded)).toEqual(["__proto__", "when"]);
  });

  test("fails with a clear error on values JSON cannot hold", () => {
    expect(() => encodeJournalValue({ amount: 10n }, 'the result of step "charge"')).toThrow(JournalEncodingError);
    expect(() => encodeJournalValue({ amount: 10n }, 'the result of step "charge"')).toThrow(
      /Cannot journal the result of step "charge".*JSON-serialisable/,
    );
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => encodeJournalValue(cyclic, "the data")).toThrow(
      /Cannot journal the data: value is nested too deeply or is circular/,
    );
  });

  test("hashes inputs by content: key order does not matter, any change does", () => {
    expect(hashRunInput({ a: 1, b: { c: [1, 2], d: "x" } })).toBe(hashRunInput({ b: { d: "x", c: [1, 2] }, a: 1 }));
    expect(hashRunInput({ a: 1 })).not.toBe(hashRunInput({ a: 2 }));
    expect(hashRunInput({ a: [1, 2] })).not.toBe(hashRunInput({ a: [2, 1] }));
    expect(hashRunInput({ at: new Date(1) })).not.toBe(hashRunInput({ at: new Date(2) }));
    expect(hashRunInput(undefined)).not.toBe(hashRunInput(null));
    expect(hashRunInput({ a: undefined, b: 1 })).toBe(hashRunInput({ b: 1 }));
  });
});
