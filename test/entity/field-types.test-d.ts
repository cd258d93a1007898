/**
 * Field builders carry what their modifiers changed in their types, so an entity's row, create input and
 * update input are inferred from its fields.
 */
import { describe, expectTypeOf, test } from "vitest";
import {
  boolean,
  datetime,
  float,
  int,
  json,
  string,
  text,
  type Field,
  type InferCreate,
  type InferEntity,
  type InferUpdate,
  type JsonValue,
} from "../../src/index.ts";

describe("field types", () => {
  test("each builder starts required and without default", () => {
    expectTypeOf(string).toEqualTypeOf<Field<"string", false, false>>();
    expectTypeOf(text).toEqualTypeOf<Field<"text", false, false>>();
    expectTypeOf(int).toEqualTypeOf<Field<"int", false, false>>();
    expectTypeOf(float).toEqualTypeOf<Field<"float", false, false>>();
    expectTypeOf(boolean).toEqualTypeOf<Field<"boolean", false, false>>();
    expectTypeOf(datetime).toEqualTypeOf<Field<"datetime", false, false>>();
    expectTypeOf(json).toEqualTypeOf<Field<"json", false, false>>();
  });

  test("modifiers chain and each keeps what the others set", () => {
    expectTypeOf(string.optional()).toEqualTypeOf<Field<"string", true, false>>();
    expectTypeOf(string.default("x")).toEqualTypeOf<Field<"string", false, true>>();
    expectTypeOf(string.optional().default("x")).toEqualTypeOf<Field<"string", true, true>>();
    expectTypeOf(string.default("x").optional().unique()).toEqualTypeOf<Field<"string", true, true>>();
    expectTypeOf(int.unique()).toEqualTypeOf<Field<"int", false, false>>();
  });

  test("bounds chain with the other modifiers and keep the field's type", () => {
    expectTypeOf(int.min(0)).toEqualTypeOf<Field<"int", false, false>>();
    expectTypeOf(float.min(0).max(10).default(1).optional()).toEqualTypeOf<Field<"float", true, true>>();
    expectTypeOf(int.default(0).min(0).unique()).toEqualTypeOf<Field<"int", false, true>>();
    expectTypeOf(string.maxLength(40).optional()).toEqualTypeOf<Field<"string", true, false>>();
    expectTypeOf(text.default("").maxLength(10)).toEqualTypeOf<Field<"text", false, true>>();
    expectTypeOf(int.min).parameter(0).toEqualTypeOf<number>();
  });

  test("serverOnly() and hidden() keep the field's type, so steps read and write it as before", () => {
    expectTypeOf(string.default("pending").serverOnly()).toEqualTypeOf<Field<"string", false, true>>();
    expectTypeOf(json.optional().hidden()).toEqualTypeOf<Field<"json", true, false>>();
    expectTypeOf(int.hidden().default(0).min(0)).toEqualTypeOf<Field<"int", false, true>>();
  });

  test("bounds are offered only where they fit the kind", () => {
    // @ts-expect-error a string has a length bound, not a value range
    string.min(0);
    // @ts-expect-error a boolean has no range
    boolean.max(1);
    // @ts-expect-error a number has no length
    int.maxLength(3);
    // @ts-expect-error a datetime has no range
    datetime.optional().min(0);
    // @ts-expect-error a bound is a number
    int.min("0");
  });

  test("default() takes a value of the field's own kind", () => {
    expectTypeOf(int.default).parameter(0).toEqualTypeOf<number>();
    expectTypeOf(datetime.default).parameter(0).toEqualTypeOf<Date>();
    expectTypeOf(json.default).parameter(0).toEqualTypeOf<JsonValue>();
    // @ts-expect-error an int's default must be a number
    int.default("0");
    // @ts-expect-error a boolean's default must be a boolean
    boolean.default(1);
    // @ts-expect-error a datetime's default must be a Date
    datetime.default("2026-01-01");
  });

  const fields = {
    name: string,
    body: text,
    stock: int.default(0),
    price: float,
    active: boolean.default(true),
    shippedAt: datetime.optional(),
    meta: json.optional(),
    status: string.optional().default("pending"),
  };

  test("InferEntity: every field, optional ones nullable, plus id and timestamps", () => {
    expectTypeOf<InferEntity<typeof fields>>().toEqualTypeOf<{
      id: string;
      createdAt: Date;
      updatedAt: Date;
      name: string;
      body: string;
      stock: number;
      price: number;
      active: boolean;
      shippedAt: Date | null;
      meta: JsonValue | null;
      status: string | null;
    }>();
  });

  test("InferCreate: fields with a default or marked optional may be left out", () => {
    expectTypeOf<InferCreate<typeof fields>>().toEqualTypeOf<{
      name: string;
      body: string;
      price: number;
      stock?: number;
      active?: boolean;
      shippedAt?: Date | null;
      meta?: JsonValue | null;
      status?: string | null;
    }>();
    const minimal: InferCreate<typeof fields> = { name: "n", body: "b", price: 1 };
    expectTypeOf(minimal).toMatchTypeOf<InferCreate<typeof fields>>();
    // @ts-expect-error price is required
    const missing: InferCreate<typeof fields> = { name: "n", body: "b" };
    void missing;
  });

  test("InferUpdate: any subset of the fields, never id or timestamps", () => {
    expectTypeOf<InferUpdate<typeof fields>>().toEqualTypeOf<{
      name?: string;
      body?: string;
      stock?: number;
      price?: number;
      active?: boolean;
      shippedAt?: Date | null;
      meta?: JsonValue | null;
      status?: string | null;
    }>();
    const empty: InferUpdate<typeof fields> = {};
    void empty;
    // @ts-expect-error id is not updatable
    const withId: InferUpdate<typeof fields> = { id: "x" };
    void withId;
    // @ts-expect-error stock is a number
    const wrong: InferUpdate<typeof fields> = { stock: "3" };
    void wrong;
  });
});
