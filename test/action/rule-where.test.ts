/**
 * How an access rule's filter becomes the database's where: equality shorthand, operators, combinations, and
 * the safety habits (undefined matches no row, wildcards are literal, a rule's mistake is thrown, never opened).
 */
import { describe, expect, test } from "vitest";
import { float, string } from "../../src/index.ts";
import { NO_ROW, pinnedValues, ruleWhere } from "../../src/action/rule-where.ts";

const fields = { customerId: string.optional(), status: string, total: float };

describe("ruleWhere", () => {
  test("turns a bare value into equality and keeps operators", () => {
    expect(ruleWhere(fields, { customerId: "alice" })).toEqual({ customerId: { equals: "alice" } });
    expect(ruleWhere(fields, { total: { gte: 1, lt: 5 }, status: "pending" })).toEqual({
      AND: [{ total: { gte: 1, lt: 5 } }, { status: { equals: "pending" } }],
    });
    const placed = new Date("2030-01-01T00:00:00Z");
    expect(ruleWhere(fields, { createdAt: placed })).toEqual({ createdAt: { equals: placed } });
  });

  test("matches no row for an undefined field or operand, where Prisma would drop the condition", () => {
    expect(ruleWhere(fields, { customerId: undefined })).toBe(NO_ROW);
    expect(ruleWhere(fields, { customerId: { equals: undefined } })).toBe(NO_ROW);
    expect(ruleWhere(fields, { customerId: { in: ["a", undefined] } })).toBe(NO_ROW);
    expect(ruleWhere(fields, { OR: [] })).toBe(NO_ROW);
    expect(ruleWhere(fields, { AND: [{ status: "x" }, { customerId: undefined }] })).toEqual({
      AND: [{ status: { equals: "x" } }, NO_ROW],
    });
  });

  test("tests null only where the field may hold it", () => {
    expect(ruleWhere(fields, { customerId: null })).toEqual({ customerId: null });
    expect(ruleWhere(fields, { customerId: { isNull: false } })).toEqual({ customerId: { not: null } });
    expect(ruleWhere(fields, { status: { isNull: true } })).toBe(NO_ROW);
    expect(ruleWhere(fields, { status: { isNull: false } })).toEqual({ AND: [] });
  });

  test("matches LIKE wildcards literally", () => {
    expect(ruleWhere(fields, { status: { contains: "50%_off" } })).toEqual({ status: { contains: "50\\%\\_off" } });
  });

  test("throws on what is not a filter, naming the mistake", () => {
    expect(() => ruleWhere(fields, "yes")).toThrow(/true, false or a filter object, not string/);
    expect(() => ruleWhere(fields, { owner: "x" })).toThrow(/"owner", which is not a field/);
    expect(() => ruleWhere(fields, { total: { near: 3 } })).toThrow(/"near" on "total", which is not an operator/);
  });
});

describe("pinnedValues", () => {
  test("are the top-level equalities a create rule fills in", () => {
    expect(
      pinnedValues({ customerId: "alice", status: { equals: "new" }, total: { lte: 9 }, OR: [{ status: "x" }] }),
    ).toEqual({ customerId: "alice", status: "new" });
    expect(pinnedValues({ customerId: undefined })).toEqual({});
  });
});
