/**
 * Field builders describe a column: its kind, and whether it is optional, has a default or is unique.
 * Each modifier returns a new field, so the shared `string`, `int`, … are never changed by a use.
 */
import { describe, expect, test } from "vitest";
import { boolean, datetime, float, int, json, string, text } from "../../src/index.ts";
import { isField } from "../../src/entity/field.ts";

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
    expect(field).toMatchObject({ kind, isOptional: false, hasDefault: false, isUnique: false, defaultValue: undefined });
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

  test("isField tells field builders from other values", () => {
    expect(isField(string)).toBe(true);
    expect(isField(int.optional())).toBe(true);
    expect(isField({ kind: "string" })).toBe(false);
    expect(isField("string")).toBe(false);
    expect(isField(null)).toBe(false);
  });
});
