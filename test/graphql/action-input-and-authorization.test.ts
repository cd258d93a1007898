/**
 * What an action's input and authorization rule see and refuse, through the GraphQL API and through `runAction`
 * (the way scripts and other callers come in): bad input changes nothing, a refusal runs nothing, and a refused
 * caller never sees the outcome of another caller's run under the same idempotency key.
 */
import { afterEach, describe, expect, test } from "vitest";
import { order } from "../../examples/checkout/entities.ts";
import { action, datetime, int, json, step, string } from "../../src/index.ts";
import type { AuthorizeArgs } from "../../src/entity/define-action.ts";
import { ValidationError } from "../../src/action/action-errors.ts";
import { runAction } from "../../src/action/run-action.ts";
import { silentLogger } from "../../src/engine/logger.ts";
import { ServiceRegistry } from "../../src/engine/definition/services.ts";
import { createCheckoutFixture, createOrder, type CheckoutFixture } from "./checkout-fixture.ts";

type NoteInput = { note: string; priority: number; dueAt: Date | null; tags: unknown };

// The declared input type leaves `priority` optional, as callers may omit it; once checked, it is always there.
const seenByRule: Array<AuthorizeArgs<NoteInput>> = [];
const seenBySteps: NoteInput[] = [];

/** `orderAnnotate`: writes its note into the order's shipping country, so a run that happened shows in the row. */
const annotated = order.actions({
  annotate: action()
    .input({ note: string, priority: int.default(3), dueAt: datetime.optional(), tags: json.optional() })
    .authorize((args) => {
      const checked = args as AuthorizeArgs<NoteInput>;
      seenByRule.push(checked);
      const role = (checked.request as Request).headers.get("x-role");
      if (role === "admin") return true;
      return role === "clerk" && checked.input.priority < 5;
    })
    .workflow([
      step("write-note", async (ctx) => {
        seenBySteps.push(ctx.input as NoteInput);
        await ctx.driver.update("order", { id: ctx.resourceId }, { shippingCountry: ctx.input.note });
        return { note: ctx.input.note, by: (ctx.input as NoteInput).priority };
      }),
    ]),
});

const ANNOTATE = /* GraphQL */ `
  mutation ($id: ID!, $input: OrderAnnotateInput!, $key: String) {
    orderAnnotate(id: $id, input: $input, idempotencyKey: $key) {
      __typename
      ... on OrderAnnotateSuccess {
        runId
        replayed
        result
        order {
          shippingCountry
        }
      }
      ... on WorkflowError {
        message
        code
        runId
      }
      ... on ValidationError {
        problems {
          field
          message
        }
      }
    }
  }
`;

let app: CheckoutFixture;
afterEach(async () => {
  seenByRule.length = 0;
  seenBySteps.length = 0;
  await app?.close();
});

async function setUp(): Promise<string> {
  app = await createCheckoutFixture({ entities: [annotated] });
  return createOrder(app.prisma, [], { shippingCountry: "US" });
}

const annotate = (id: string, input: Record<string, unknown>, role = "admin", key?: string) =>
  app.gql(ANNOTATE, { id, input, key }, { "x-role": role });

async function shippingCountryOf(id: string): Promise<string | null | undefined> {
  return (await app.prisma.order.findUnique({ where: { id } }))?.shippingCountry;
}

describe("an action's input through GraphQL", () => {
  // GraphQL's own types refuse these before the action's input check: the check's refusals are for the other
  // callers (below); through GraphQL it fills in defaults and must accept every value the schema lets through.
  test.each([
    ["a value of the wrong type", { note: 42 }, /note.*String/],
    ["a missing required field", { priority: 1 }, /note.*required/],
    ["an unknown field", { note: "n", shoeSize: 44 }, /shoeSize/],
    ["an int out of 32-bit range", { note: "n", priority: 2 ** 31 }, /priority.*Int/],
    ["a date that is not one", { note: "n", dueAt: "2031-02-30T00:00:00Z" }, /dueAt/],
  ])("%s is refused with an error naming the field, and nothing runs or changes", async (_case, input, message) => {
    const id = await setUp();
    const result = await annotate(id, input);

    expect(result.data ?? null).toBeNull();
    expect(result.errors?.map((e) => e.message).join("\n")).toMatch(message);
    expect(seenByRule).toEqual([]);
    expect(seenBySteps).toEqual([]);
    expect(await app.store.listRuns()).toEqual([]);
    expect(await shippingCountryOf(id)).toBe("US");
  });

  test("the rule and the steps get the checked input with its default and the omitted optional fields as null", async () => {
    const id = await setUp();
    const result = await annotate(id, { note: "FR" });

    expect(result.data!.orderAnnotate).toMatchObject({
      __typename: "OrderAnnotateSuccess",
      result: { note: "FR", by: 3 },
      order: { shippingCountry: "FR" },
    });
    const expected = { note: "FR", priority: 3, dueAt: null, tags: null };
    expect(seenBySteps).toEqual([expected]);
    expect(seenByRule).toHaveLength(1);
    expect(seenByRule[0]!.input).toEqual(expected);
    expect(seenByRule[0]!.resourceId).toBe(id);
    expect((seenByRule[0]!.request as Request).headers.get("x-role")).toBe("admin");
  });

  test("every value a GraphQL Int carries is accepted, the smallest one included", async () => {
    const id = await setUp();
    for (const priority of [-(2 ** 31), 2 ** 31 - 1]) {
      const result = await annotate(id, { note: "DE", priority });
      expect(result.data?.orderAnnotate, `priority ${priority}`).toMatchObject({
        __typename: "OrderAnnotateSuccess",
        result: { by: priority },
      });
    }
  });
});

describe("an action's authorization rule", () => {
  test("returning false refuses with ForbiddenError, a default message, and runs nothing", async () => {
    const id = await setUp();
    const result = await annotate(id, { note: "IT", priority: 7 }, "clerk");

    expect(result.data!.orderAnnotate).toEqual({
      __typename: "ForbiddenError",
      message: "Not allowed to run this action",
      code: "FORBIDDEN",
      runId: null,
    });
    expect(seenByRule.map((args) => [args.input.priority, args.resourceId])).toEqual([[7, id]]);
    expect(seenBySteps).toEqual([]);
    expect(await app.store.listRuns()).toEqual([]);
    expect(await shippingCountryOf(id)).toBe("US");
  });

  test("decides on what the caller sent: the same caller is allowed a smaller priority", async () => {
    const id = await setUp();
    expect((await annotate(id, { note: "ES", priority: 7 }, "clerk")).data!.orderAnnotate).toMatchObject({
      __typename: "ForbiddenError",
    });
    expect((await annotate(id, { note: "ES", priority: 4 }, "clerk")).data!.orderAnnotate).toMatchObject({
      __typename: "OrderAnnotateSuccess",
      order: { shippingCountry: "ES" },
    });
  });

  test("a refused caller replaying another caller's idempotency key gets ForbiddenError, never the other's outcome", async () => {
    const id = await setUp();
    const key = `shared-${crypto.randomUUID()}`;
    const first = (await annotate(id, { note: "PT", priority: 9 }, "admin", key)).data!.orderAnnotate;
    expect(first).toMatchObject({ __typename: "OrderAnnotateSuccess", replayed: false });

    for (const role of ["clerk", "nobody"]) {
      const replay = (await annotate(id, { note: "PT", priority: 9 }, role, key)).data!.orderAnnotate;
      expect(replay, role).toEqual({
        __typename: "ForbiddenError",
        message: "Not allowed to run this action",
        code: "FORBIDDEN",
        runId: null,
      });
    }
    expect((await annotate(id, { note: "PT", priority: 9 }, "admin", key)).data!.orderAnnotate).toEqual({
      ...first,
      replayed: true,
    });
    expect(seenBySteps).toHaveLength(1);
    expect(await app.store.listRuns()).toHaveLength(1);
  });
});

describe("an action's input through runAction", () => {
  test("bad input fails with ValidationError listing every problem, before the rule or any step runs", async () => {
    const id = await setUp();
    const runtime = { driver: app.driver, store: app.store, services: new ServiceRegistry({}), logger: silentLogger };
    const request = { headers: new Headers({ "x-role": "admin" }) } as unknown as Request;
    const error = await runAction(runtime, annotated, "annotate", {
      id,
      input: { note: 1, priority: 1.5, dueAt: new Date("nope"), extra: true },
      request,
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({
      code: "VALIDATION_ERROR",
      problems: [
        { field: "note", message: "must be a string" },
        { field: "priority", message: "must be a int" },
        { field: "dueAt", message: "must be a datetime" },
        { field: "extra", message: "is not an input field" },
      ],
    });
    await expect(runAction(runtime, annotated, "annotate", { id, input: "note", request })).rejects.toThrow(
      "input must be an object",
    );
    expect(seenByRule).toEqual([]);
    expect(await app.store.listRuns()).toEqual([]);
    expect(await shippingCountryOf(id)).toBe("US");
  });
});
