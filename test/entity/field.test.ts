/**
 * Field builders describe a column: its kind, and whether it is optional, has a default or is unique.
 * Each modifier returns a new field, so the shared `string`, `int`, … are never changed by a use.
 */
import { describe, expect, test } from "vitest";
import { boolean, datetime, float, int, json, string, text } from "../../src/index.ts";
import { DEFAULT_MAX_LENGTH, isField } from "../../src/entity/field.ts";

describe("field builders", () => {
  test.each([
    ["string", string],
    ["text", text],
    ["int", int],
    ["float", float],
    ["boolean", boolean],
    ["datetime", datetime],
    ["json", json],
  ] as const)("%s is a required, non-unique field without default", (kind, field) => {
    expect(field).toMatchObject({
      kind,
      isOptional: false,
      hasDefault: false,
      isUnique: false,
      defaultValue: undefined,
    });
  });

  test("optional() marks the field nullable", () => {
    expect(string.optional()).toMatchObject({ kind: "string", isOptional: true, hasDefault: false, isUnique: false });
  });

  test("default(v) records the default value", () => {
    expect(string.default("pending")).toMatchObject({ hasDefault: true, defaultValue: "pending", isOptional: false });
    expect(int.default(0)).toMatchObject({ hasDefault: true, defaultValue: 0 });
    expect(boolean.default(false)).toMatchObject({ hasDefault: true, defaultValue: false });
    expect(json.default(["draft"])).toMatchObject({ hasDefault: true, defaultValue: ["draft"] });
  });

  test("unique() marks the field unique", () => {
    expect(string.unique()).toMatchObject({ isUnique: true, isOptional: false });
  });

  test("modifiers chain in any order and keep each other", () => {
    const a = string.optional().default("x").unique();
    const b = string.unique().default("x").optional();

    expect(a).toMatchObject({ kind: "string", isOptional: true, hasDefault: true, defaultValue: "x", isUnique: true });
    expect(b).toMatchObject({ kind: "string", isOptional: true, hasDefault: true, defaultValue: "x", isUnique: true });
  });

  test("a modifier never changes the field it was called on", () => {
    const status = string.default("pending");
    status.unique();
    string.optional();

    expect(string).toMatchObject({ isOptional: false, hasDefault: false, isUnique: false });
    expect(status).toMatchObject({ isUnique: false, defaultValue: "pending" });
  });

  test("the last default wins", () => {
    expect(int.default(1).default(2).defaultValue).toBe(2);
  });

  test("fields are frozen", () => {
    expect(Object.isFrozen(string)).toBe(true);
    expect(Object.isFrozen(float.optional().default(1.5))).toBe(true);
  });

  test("min() and max() bound numbers, maxLength() strings, and chain with the other modifiers", () => {
    expect(int.min(0).default(3).optional().max(10)).toMatchObject({
      minimum: 0,
      maximum: 10,
      defaultValue: 3,
      isOptional: true,
    });
    expect(float.unique().min(-1.5)).toMatchObject({ minimum: -1.5, maximum: undefined, isUnique: true });
    expect(string.maxLength(40).default("x")).toMatchObject({ maximumLength: 40, defaultValue: "x" });
    expect(int).toMatchObject({ minimum: undefined, maximum: undefined, maximumLength: undefined });
  });

  test("strings have a default maximum length, text a larger one", () => {
    expect(string.maximumLength).toBe(DEFAULT_MAX_LENGTH.string);
    expect(text.optional().maximumLength).toBe(DEFAULT_MAX_LENGTH.text);
    expect(DEFAULT_MAX_LENGTH.text).toBeGreaterThan(DEFAULT_MAX_LENGTH.string);
  });

  test("contradictory bounds fail where the field is defined", () => {
    expect(() => int.min(5).max(4)).toThrow("min(5) is above max(4)");
    expect(() => int.min(0).default(-1)).toThrow("default(-1) is outside the field's range");
    expect(() => float.default(2).max(1)).toThrow("outside the field's range");
    expect(() => string.default("abc").maxLength(2)).toThrow("longer than maxLength(2)");
    expect(() => float.min(Number.NaN)).toThrow("min() takes a finite number");
    expect(() => string.maxLength(0)).toThrow("maxLength() takes a positive integer");
  });

  test("serverOnly() and hidden() mark the field, and chain with the other modifiers", () => {
    expect(string.default("pending").serverOnly().maxLength(20)).toMatchObject({
      isServerOnly: true,
      isHidden: false,
      defaultValue: "pending",
      maximumLength: 20,
    });
    expect(int.hidden().optional().min(0)).toMatchObject({
      isHidden: true,
      isServerOnly: false,
      isOptional: true,
      minimum: 0,
    });
    expect(string).toMatchObject({ isServerOnly: false, isHidden: false });
  });

  test("bounds exist only on the kinds they fit", () => {
    expect(string.min).toBeUndefined();
    expect(boolean.max).toBeUndefined();
    expect(int.maxLength).toBeUndefined();
  });

  test("isField tells field builders from other values", () => {
    expect(isField(string)).toBe(true);
    expect(isField(int.optional())).toBe(true);
    expect(isField({ kind: "string" })).toBe(false);
    expect(isField("string")).toBe(false);
    expect(isField(null)).toBe(false);
  });
});
