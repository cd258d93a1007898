/**
 * The pre-built entity steps against a real SQLite database: what each writes, what `storeAs` keeps, and
 * how its compensation undoes the write, with and without a workflow transaction.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import {
  action,
  createEntityStep,
  deleteEntityStep,
  executeWorkflow,
  runWorkflow,
  step,
  string,
  updateEntityStep,
} from "../../src/index.ts";
import type { Row } from "../../src/engine/definition/driver.ts";
import { silentLogger } from "../../src/engine/logger.ts";
import { account as accountEntity, note, user } from "../fixtures/entities.ts";
import { createSqliteTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

const failing = step("fail", () => {
  throw new Error("later step failed");
});

describe.each([
  ["without a transaction", false],
  ["in a transaction", true],
])("entity steps %s", (_label, useTransaction) => {
  let db: TestDatabase;
  const options = { useTransaction, logger: silentLogger };

  beforeEach(async () => {
    db = await createSqliteTestDatabase();
  });
  afterEach(() => db.close());

  test("createEntityStep creates the row and stores its id under storeAs for later steps", async () => {
    const outcome = await runWorkflow(
      db.driver,
      "sign-up",
      [
        createEntityStep("create-user", user, (ctx) => ({ email: ctx.input as string, name: "Ada" }), {
          storeAs: "userId",
        }),
        step("read-id", (ctx) => ctx.get("userId")),
      ],
      { ...options, input: "ada@x" },
    );
    const created = await db.driver.findOne("user", { email: "ada@x" });
    expect(outcome).toMatchObject({ ok: true, result: created!.id, data: { userId: created!.id } });
  });

  test("a later failure deletes the row createEntityStep created", async () => {
    const outcome = await runWorkflow(
      db.driver,
      "sign-up",
      [
        createEntityStep("create-user", "user", () => ({ email: "gone@x", name: "Gone" }), {
          storeAs: "userId",
          compensate: true,
        }),
        failing,
      ],
      options,
    );
    expect(outcome).toMatchObject({
      ok: false,
      failedStep: "fail",
      compensatedSteps: ["create-user"],
      rolledBack: useTransaction,
    });
    expect(await db.driver.count("user")).toBe(0);
  });

  test("a later failure restores the values updateEntityStep replaced, and only those", async () => {
    const before = await db.driver.create("user", { email: "u@x", name: "Before", role: "member" });
    let seen: Row | null | undefined;
    const outcome = await runWorkflow(
      db.driver,
      "promote",
      [
        updateEntityStep(
          "set-role",
          user,
          () => ({ email: "u@x" }),
          () => ({ role: "admin", name: "After" }),
          { storeAs: "userId", compensate: true },
        ),
        step("check", async (ctx) => {
          seen = await ctx.driver.findOne("user", { id: ctx.get("userId") });
        }),
        failing,
      ],
      options,
    );
    expect(seen).toMatchObject({ id: before.id, role: "admin", name: "After" });
    expect(outcome).toMatchObject({ ok: false, failedStep: "fail", compensatedSteps: ["set-role"] });
    expect(await db.driver.findOne("user", { id: before.id })).toMatchObject({
      email: "u@x",
      name: "Before",
      role: "member",
    });
  });

  test("updateEntityStep returns the updated row and the previous values", async () => {
    const before = await db.driver.create("user", { email: "r@x", name: "R" });
    const outcome = await runWorkflow(
      db.driver,
      "promote",
      [
        updateEntityStep(
          "set-role",
          "user",
          () => ({ id: before.id }),
          () => ({ role: "admin" }),
        ),
      ],
      options,
    );
    expect(outcome).toMatchObject({
      ok: true,
      result: { row: { id: before.id, role: "admin" }, previous: { role: "member" } },
    });
  });

  test("a later failure re-creates the row deleteEntityStep deleted, with the same id and values", async () => {
    const original = await db.driver.create("note", {
      title: "keep me",
      body: "long text",
      pinned: true,
      dueAt: new Date("2032-02-03T04:05:06.007Z"),
      meta: null,
      tags: ["a", "b"],
    });
    let notesLeft: number | undefined;
    const outcome = await runWorkflow(
      db.driver,
      "purge",
      [
        deleteEntityStep("delete-note", note, () => ({ title: "keep me" }), { storeAs: "deletedId", compensate: true }),
        step("check", async (ctx) => {
          notesLeft = await ctx.driver.count("note");
        }),
        failing,
      ],
      options,
    );
    expect(notesLeft).toBe(0);
    expect(outcome).toMatchObject({
      ok: false,
      failedStep: "fail",
      compensatedSteps: ["delete-note"],
      data: { deletedId: original.id },
    });
    expect(await db.driver.findOne("note", { id: original.id })).toEqual(original);
  });

  test("entity steps without compensate leave their writes when a later step fails, unless the transaction rolls back", async () => {
    const outcome = await runWorkflow(
      db.driver,
      "sign-up",
      [createEntityStep("create-user", "user", () => ({ email: "stays@x", name: "S" })), failing],
      options,
    );
    expect(outcome).toMatchObject({
      ok: false,
      failedStep: "fail",
      compensatedSteps: useTransaction ? ["create-user"] : [],
    });
    expect(await db.driver.count("user")).toBe(useTransaction ? 0 : 1);
  });

  test("entity steps work as an entity action's workflow, on the action's resource", async () => {
    const account = accountEntity.actions({
      rename: action()
        .input({ nickname: string })
        .workflow(
          [
            updateEntityStep(
              "rename",
              "account",
              (ctx) => ({ id: ctx.resourceId }),
              (ctx) => ({ nickname: ctx.input.nickname }),
              { compensate: true },
            ),
            createEntityStep(
              "audit",
              "note",
              (ctx) => ({ title: `renamed ${ctx.resource.owner}`, body: ctx.input.nickname }),
              { compensate: true },
            ),
            step("maybe-fail", (ctx) => {
              if (ctx.input.nickname === "bad") throw new Error("rejected name");
              return { renamed: true };
            }),
          ],
          { useTransaction },
        ),
    });
    const row = await db.driver.create<Row>("account", { owner: "ada", nickname: "old" });
    const run = (nickname: string) =>
      executeWorkflow(db.driver, account.actionDefinitions.rename.workflow, {
        input: { nickname },
        resource: row,
        resourceId: row.id as string,
        logger: silentLogger,
      });

    expect(await run("bad")).toMatchObject({
      ok: false,
      failedStep: "maybe-fail",
      compensatedSteps: ["audit", "rename"],
    });
    expect(await db.driver.findOne("account", { id: row.id })).toMatchObject({ nickname: "old" });
    expect(await db.driver.count("note")).toBe(0);

    expect(await run("new")).toMatchObject({ ok: true, result: { renamed: true } });
    expect(await db.driver.findOne("account", { id: row.id })).toMatchObject({ nickname: "new" });
    expect(await db.driver.findOne("note", { title: "renamed ada" })).toMatchObject({ body: "new" });
  });
});
