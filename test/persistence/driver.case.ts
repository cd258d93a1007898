/**
 * The Driver contract: every implementation runs this same suite (see prisma-driver.*.test.ts), against
 * the test fixtures' entities (test/fixtures/entities.ts).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import type { Driver, Row } from "../../src/engine/definition/driver.ts";
import {
  InvalidDataError,
  RecordNotFoundError,
  UniqueConstraintError,
  UnknownEntityError,
} from "../../src/engine/definition/driver-errors.ts";
import { Latch } from "../helpers/latch.ts";

export interface DriverHarness {
  driver: Driver;
  close(): Promise<void>;
}

const ENTITIES = ["account", "note", "product", "user"] as const;

export function describeDriverContract(name: string, open: () => Promise<DriverHarness>): void {
  describe(`Driver contract: ${name}`, () => {
    let harness: DriverHarness;
    let driver: Driver;

    beforeAll(async () => {
      harness = await open();
      driver = harness.driver;
    });
    afterAll(() => harness?.close());
    beforeEach(async () => {
      for (const entity of ENTITIES)
        for (const row of await driver.findMany(entity)) await driver.delete(entity, { id: row.id });
    });

    describe("create and read", () => {
      test("create returns the row with a generated id, timestamps and defaults filled in", async () => {
        const user = await driver.create("user", { email: "ada@example.com", name: "Ada" });
        expect(user).toMatchObject({ email: "ada@example.com", name: "Ada", role: "member" });
        expect(user.id).toEqual(expect.any(String));
        expect(user.createdAt).toBeInstanceOf(Date);
        expect(user.updatedAt).toBeInstanceOf(Date);
      });

      test("every field kind round-trips, including text, boolean, datetime and json", async () => {
        const dueAt = new Date("2031-05-06T07:08:09.123Z");
        const body = "line one\nline two — ünïcødé ".repeat(200);
        const created = await driver.create("note", {
          title: "t",
          body,
          pinned: true,
          dueAt,
          meta: { nested: [1, "two", null, { ok: true }] },
        });
        const read = await driver.findOne("note", { id: created.id });
        expect(read).toMatchObject({ body, pinned: true, dueAt, meta: { nested: [1, "two", null, { ok: true }] } });
      });

      test("defaults of every kind apply, including escaped strings, json and datetime", async () => {
        const note = await driver.create("note", { title: "t", body: "b" });
        expect(note).toMatchObject({
          pinned: false,
          dueAt: null,
          meta: null,
          tags: ["draft", "it's"],
          quote: 'say "hi" \\ bye',
          remindAt: new Date("2030-01-02T03:04:05.000Z"),
        });
        const account = await driver.create("account", { owner: "ada" });
        expect(account).toMatchObject({ balance: 0, version: 0, nickname: null });
      });

      test("findOne returns the matching row, or null when none matches", async () => {
        await driver.create("user", { email: "a@x", name: "A" });
        expect(await driver.findOne("user", { email: "a@x" })).toMatchObject({ name: "A" });
        expect(await driver.findOne("user", { email: "nobody@x" })).toBeNull();
      });
    });

    describe("queries", () => {
      beforeEach(async () => {
        for (const [sku, price, stock] of [
          ["A-1", 5, 0],
          ["A-2", 10, 3],
          ["B-1", 15, 7],
          ["B-2", 20, 1],
        ] as const) {
          await driver.create("product", { sku, name: `Product ${sku}`, price, stock });
        }
      });
      const skus = (rows: Row[]) => rows.map((row) => row.sku);

      test("findMany filters with equality, comparisons, lists and string matches", async () => {
        expect(
          skus(await driver.findMany("product", { where: { price: { gte: 10, lt: 20 } }, orderBy: { sku: "asc" } })),
        ).toEqual(["A-2", "B-1"]);
        expect(
          skus(await driver.findMany("product", { where: { sku: { in: ["A-1", "B-2"] } }, orderBy: { sku: "asc" } })),
        ).toEqual(["A-1", "B-2"]);
        expect(
          skus(await driver.findMany("product", { where: { sku: { startsWith: "B" }, stock: { not: 1 } } })),
        ).toEqual(["B-1"]);
        expect(skus(await driver.findMany("product", { where: { name: { contains: "A-" }, stock: 0 } }))).toEqual([
          "A-1",
        ]);
      });

      test("findMany orders, takes and skips", async () => {
        expect(skus(await driver.findMany("product", { orderBy: { price: "desc" } }))).toEqual([
          "B-2",
          "B-1",
          "A-2",
          "A-1",
        ]);
        expect(
          skus(await driver.findMany("product", { orderBy: [{ stock: "asc" }, { sku: "desc" }], take: 2, skip: 1 })),
        ).toEqual(["B-2", "A-2"]);
      });

      test("count counts every row or the ones matching a filter", async () => {
        expect(await driver.count("product")).toBe(4);
        expect(await driver.count("product", { stock: { gt: 0 } })).toBe(3);
      });
    });

    describe("update and delete", () => {
      test("update changes the given fields and returns the row", async () => {
        const user = await driver.create("user", { email: "u@x", name: "Old" });
        const updated = await driver.update("user", { id: user.id }, { name: "New" });
        expect(updated).toMatchObject({ id: user.id, name: "New", email: "u@x" });
        expect((updated.updatedAt as Date).getTime()).toBeGreaterThanOrEqual((user.updatedAt as Date).getTime());
      });

      test("update of an unknown id throws RecordNotFoundError", async () => {
        const error = await driver.update("user", { id: "missing" }, { name: "x" }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(RecordNotFoundError);
        expect(error).toMatchObject({ code: "RECORD_NOT_FOUND", entity: "user", where: { id: "missing" } });
      });

      test("delete removes the row and returns it; an unknown id throws RecordNotFoundError", async () => {
        const user = await driver.create("user", { email: "d@x", name: "D" });
        expect(await driver.delete("user", { id: user.id })).toMatchObject({ id: user.id, email: "d@x" });
        expect(await driver.findOne("user", { id: user.id })).toBeNull();
        await expect(driver.delete("user", { id: user.id })).rejects.toBeInstanceOf(RecordNotFoundError);
      });

      test("optional fields, json included, can be set back to null", async () => {
        const note = await driver.create("note", { title: "t", body: "b", meta: { a: 1 }, dueAt: new Date() });
        expect(await driver.update("note", { id: note.id }, { meta: null, dueAt: null })).toMatchObject({
          meta: null,
          dueAt: null,
        });
      });
    });

    describe("updateMany", () => {
      test("a guard in where makes it a compare-and-set: it reports whether the row changed", async () => {
        const account = await driver.create("account", { owner: "o", version: 1 });
        expect(await driver.updateMany("account", { id: account.id, version: 1 }, { version: 2, owner: "first" })).toBe(
          1,
        );
        expect(
          await driver.updateMany("account", { id: account.id, version: 1 }, { version: 2, owner: "second" }),
        ).toBe(0);
        expect(await driver.findOne("account", { id: account.id })).toMatchObject({ version: 2, owner: "first" });
      });

      test("increment and decrement are applied by the database", async () => {
        const account = await driver.create("account", { owner: "o", balance: 10.5, version: 3 });
        expect(
          await driver.updateMany(
            "account",
            { id: account.id },
            { balance: { decrement: 0.5 }, version: { increment: 2 } },
          ),
        ).toBe(1);
        expect(await driver.findOne("account", { id: account.id })).toMatchObject({ balance: 10, version: 5 });
      });

      test("concurrent guarded decrements never take stock below zero", async () => {
        await driver.create("product", { sku: "HOT", name: "Hot", price: 1, stock: 5 });
        const attempts = Array.from({ length: 20 }, () =>
          driver.updateMany("product", { sku: "HOT", stock: { gte: 1 } }, { stock: { decrement: 1 } }),
        );
        const changed = await Promise.all(attempts);
        expect(changed.filter((count) => count === 1)).toHaveLength(5);
        expect(await driver.findOne("product", { sku: "HOT" })).toMatchObject({ stock: 0 });
      });

      test("concurrent transactions with guarded decrements never take stock below zero", async () => {
        await driver.create("product", { sku: "TX", name: "Tx", price: 1, stock: 4 });
        const reserve = (quantity: number) =>
          driver.transaction(async (tx) => {
            const count = await tx.updateMany(
              "product",
              { sku: "TX", stock: { gte: quantity } },
              { stock: { decrement: quantity } },
            );
            if (count === 0) throw new Error("Insufficient stock");
            return quantity;
          });
        const outcomes = await Promise.allSettled([3, 2, 2, 1, 1, 3].map(reserve));
        const reserved = outcomes.flatMap((outcome) => (outcome.status === "fulfilled" ? [outcome.value] : []));
        const refusals = outcomes.flatMap((outcome) => (outcome.status === "rejected" ? [String(outcome.reason)] : []));
        // Whatever the order, a refused request saw less stock than it asked for and stock only falls, so with two
        // requests of 1 the stock always ends at 0: exactly 4 units granted, and every refusal is the guard's own.
        expect(reserved.reduce((sum, n) => sum + n, 0)).toBe(4);
        expect(refusals).toEqual(refusals.map(() => "Error: Insufficient stock"));
        expect(await driver.findOne("product", { sku: "TX" })).toMatchObject({ stock: 0 });
      });
    });

    describe("errors", () => {
      test("a duplicate unique value throws UniqueConstraintError naming the field", async () => {
        await driver.create("user", { email: "dup@x", name: "One" });
        const error = await driver.create("user", { email: "dup@x", name: "Two" }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UniqueConstraintError);
        expect(error).toMatchObject({ code: "UNIQUE_CONSTRAINT", entity: "user", fields: ["email"] });
      });

      test.each([
        ["a value of the wrong type", { email: 42, name: "x" }],
        ["a missing required field", { email: "m@x" }],
        ["an unknown field", { email: "u@x", name: "x", shoeSize: 44 }],
      ])("%s throws InvalidDataError", async (_case, data) => {
        const error = await driver.create("user", data).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InvalidDataError);
        expect(error).toMatchObject({ code: "INVALID_DATA", entity: "user" });
      });

      test("a filter on an unknown field throws InvalidDataError", async () => {
        await expect(driver.findMany("user", { where: { shoeSize: 44 } })).rejects.toBeInstanceOf(InvalidDataError);
      });

      test("an unknown entity throws UnknownEntityError listing the known ones", async () => {
        const error = await driver.findOne("invoice", { id: "x" }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UnknownEntityError);
        expect(error).toMatchObject({ code: "UNKNOWN_ENTITY", knownEntities: [...ENTITIES] });
        expect((error as Error).message).toContain("account, note, product, user");
      });
    });

    describe("transactions", () => {
      test("the base driver is not in a transaction; the one a transaction hands out is", async () => {
        expect(driver.inTransaction).toBe(false);
        await driver.transaction(async (tx) => expect(tx.inTransaction).toBe(true));
      });

      test("writes commit together when the callback resolves, and its value is returned", async () => {
        const result = await driver.transaction(async (tx) => {
          await tx.create("user", { email: "c1@x", name: "C1" });
          await tx.create("user", { email: "c2@x", name: "C2" });
          return "done";
        });
        expect(result).toBe("done");
        expect(await driver.count("user")).toBe(2);
      });

      test("every write rolls back when the callback throws, and the error reaches the caller", async () => {
        const failure = new Error("step failed");
        const error = await driver
          .transaction(async (tx) => {
            await tx.create("user", { email: "r@x", name: "R" });
            await tx.create("product", { sku: "R", name: "R", price: 1 });
            throw failure;
          })
          .catch((e: unknown) => e);
        expect(error).toBe(failure);
        expect(await driver.count("user")).toBe(0);
        expect(await driver.count("product")).toBe(0);
      });

      test("transaction() on a transaction driver joins the same transaction", async () => {
        const rollBack = new Error("roll back the outer one");
        let joined: boolean | undefined;
        let countInside: number | undefined;
        const error = await driver
          .transaction(async (tx) => {
            await tx.transaction(async (inner) => {
              joined = inner === tx;
              await inner.create("user", { email: "n@x", name: "Nested" });
            });
            countInside = await tx.count("user");
            throw rollBack;
          })
          .catch((e: unknown) => e);
        expect(error).toBe(rollBack);
        expect(joined).toBe(true);
        expect(countInside).toBe(1);
        expect(await driver.count("user")).toBe(0);
      });

      test("a driver error inside a transaction keeps its class", async () => {
        await driver.create("user", { email: "taken@x", name: "T" });
        const error = await driver
          .transaction((tx) => tx.create("user", { email: "taken@x", name: "U" }))
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UniqueConstraintError);
      });

      test("a read outside an open transaction neither waits for it nor sees its uncommitted writes", async () => {
        await driver.create("user", { email: "committed@x", name: "C" });
        const entered = new Latch();
        const finish = new Latch();
        const transaction = driver.transaction(async (tx) => {
          await tx.create("user", { email: "uncommitted@x", name: "U" });
          entered.open();
          await finish.wait();
        });
        await entered.wait();
        try {
          expect((await driver.findMany("user")).map((user) => user.email)).toEqual(["committed@x"]);
        } finally {
          finish.open();
          await transaction;
        }
        expect(await driver.count("user")).toBe(2);
      });

      test("a write outside an open transaction is not rolled back with it", async () => {
        const entered = new Latch();
        const finish = new Latch();
        const transaction = driver
          .transaction(async (tx) => {
            await tx.create("user", { email: "inside@x", name: "In" });
            entered.open();
            await finish.wait();
            // Issued after the outside write, so that one has reached the database layer before the rollback.
            await tx.create("user", { email: "inside-too@x", name: "In" });
            throw new Error("roll back");
          })
          .catch(() => undefined);
        await entered.wait();
        const outside = driver.create("user", { email: "outside@x", name: "Out" });
        finish.open();
        await Promise.all([transaction, outside]);
        expect((await driver.findMany("user")).map((user) => user.email)).toEqual(["outside@x"]);
      });
    });
  });
}
