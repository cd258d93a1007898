/**
 * A workflow or step that cannot run is rejected when it is defined, with a message that says what is
 * wrong, so a broken definition never reaches a run (or production traffic).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  defineWorkflow,
  runWorkflow,
  step,
  workflow,
  WorkflowDefinitionError,
  type RetryOptions,
  type Step,
  type StepOptions,
} from "../../src/index.ts";
import { createSqliteTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

const noop = () => undefined;

/** Bypasses the compile-time checks, the way plain JavaScript callers (or `any`) would. */
function loose<T>(value: unknown): T {
  return value as T;
}

describe("workflow definition errors", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createSqliteTestDatabase();
  });
  afterAll(() => db?.close());

  test("rejects duplicate step names", () => {
    expect(() => workflow("dup").step("charge", noop).step("charge", noop).build()).toThrow(
      new WorkflowDefinitionError('Workflow "dup": duplicate step name "charge"'),
    );
    expect(() => defineWorkflow("dup", [step("a", noop), step("b", noop), step("a", noop)])).toThrow(
      /duplicate step name "a"/,
    );
  });

  test("rejects a workflow without steps", () => {
    expect(() => workflow("empty").build()).toThrow(
      new WorkflowDefinitionError('Workflow "empty" has no steps; give it at least one'),
    );
    expect(() => defineWorkflow("empty", [])).toThrow(WorkflowDefinitionError);
  });

  test("rejects a workflow without a name", () => {
    expect(() => workflow("").step("a", noop).build()).toThrow(/needs a non-empty string name/);
    expect(() => defineWorkflow("   ", [step("a", noop)])).toThrow(/needs a non-empty string name/);
  });

  test.each([
    { entry: null, shown: "null" },
    { entry: "charge", shown: "a string" },
    { entry: { name: "charge" }, shown: "an object without execute" },
    { entry: () => {}, shown: "a bare function" },
  ])("rejects a step list entry that is not a step ($shown), naming its position", ({ entry }) => {
    const steps = loose<Step[]>([step("first", noop), entry]);

    expect(() => defineWorkflow("odd", steps)).toThrow(
      new WorkflowDefinitionError(
        'Workflow "odd": entry #1 is not a step (build it with step(name, execute, compensate?))',
      ),
    );
  });

  test("rejects a non-function execute", () => {
    expect(() => step("charge", loose<() => unknown>("not a function"))).toThrow(
      new WorkflowDefinitionError('Step "charge": execute must be a function, got string'),
    );
    expect(() => step("charge", loose<() => unknown>(undefined))).toThrow(/execute must be a function, got undefined/);
  });

  test("rejects a non-function compensate", () => {
    expect(() => step("charge", noop, loose<() => unknown>({ refund: true }))).toThrow(
      new WorkflowDefinitionError('Step "charge": compensate must be a function, got object'),
    );
  });

  test("rejects a step without a name", () => {
    expect(() => step("", noop)).toThrow(/A step needs a non-empty string name, got ""/);
    expect(() => step(loose(42), noop)).toThrow(/A step needs a non-empty string name, got 42/);
  });

  test.each<{ retry: unknown; message: RegExp }>([
    { retry: { maxAttempts: 0 }, message: /retry\.maxAttempts must be an integer ≥ 1, got 0/ },
    { retry: { maxAttempts: 2.5 }, message: /retry\.maxAttempts must be an integer ≥ 1, got 2.5/ },
    { retry: { maxAttempts: Number.NaN }, message: /retry\.maxAttempts must be an integer ≥ 1/ },
    { retry: {}, message: /retry\.maxAttempts must be an integer ≥ 1, got undefined/ },
    { retry: { maxAttempts: 3, delay: -1 }, message: /retry\.delay must be ≥ 0, got -1/ },
    { retry: { maxAttempts: 3, backoff: Number.NaN }, message: /retry\.backoff must be ≥ 0/ },
    { retry: { maxAttempts: 3, maxDelay: -5 }, message: /retry\.maxDelay must be ≥ 0, got -5/ },
    {
      retry: { maxAttempts: 3, jitter: 1.5 },
      message: /retry\.jitter must be a boolean or a number in \(0, 1\], got 1.5/,
    },
    { retry: { maxAttempts: 3, jitter: 0 }, message: /retry\.jitter must be a boolean or a number in \(0, 1\], got 0/ },
    { retry: { maxAttempts: 3, jitter: "yes" }, message: /retry\.jitter must be a boolean or a number/ },
    { retry: { maxAttempts: 3, shouldRetry: true }, message: /retry\.shouldRetry must be a function, got boolean/ },
    { retry: 3, message: /retry must be an object like \{ maxAttempts: 3 \}, got 3/ },
  ])("rejects bad retry options: $retry", ({ retry, message }) => {
    expect(() => step("flaky", noop, null, { retry: loose<RetryOptions>(retry) })).toThrow(message);
    expect(() => step("flaky", noop, noop, { compensationRetry: loose<RetryOptions>(retry) })).toThrow(
      new RegExp(message.source.replace("retry", "compensationRetry")),
    );
  });

  test("names the step in a retry option error", () => {
    expect(() => step("charge-payment", noop, null, { retry: { maxAttempts: 0 } })).toThrow(/^Step "charge-payment": /);
  });

  test.each([0, -10, Number.NaN])("rejects a timeout of %s", (timeout) => {
    expect(() => step("slow", noop, null, { timeout })).toThrow(/Step "slow": timeout must be a positive number of ms/);
  });

  test("rejects an unknown effect", () => {
    expect(() => step("write", noop, null, loose<StepOptions>({ effect: "db" }))).toThrow(
      /effect must be "external" or "database", got "db"/,
    );
  });

  test("accepts valid retry options", () => {
    const valid: RetryOptions = {
      maxAttempts: 3,
      delay: 0,
      backoff: 2,
      maxDelay: 1_000,
      jitter: 0.5,
      shouldRetry: () => true,
    };

    expect(() =>
      step("ok", noop, null, { retry: valid, compensationRetry: { maxAttempts: 1, jitter: true }, timeout: 1 }),
    ).not.toThrow();
  });

  test("rejects a bad runWorkflow definition before any step runs", async () => {
    let ran = false;
    const steps = [step("a", () => void (ran = true)), step("a", noop)];

    await expect(runWorkflow(db.driver, "dup-run", steps)).rejects.toThrow(/duplicate step name "a"/);
    await expect(runWorkflow(db.driver, "no-steps", [])).rejects.toThrow(/has no steps/);
    expect(ran).toBe(false);
  });

  test("is a WorkflowDefinitionError with a stable code", () => {
    try {
      workflow("empty").build();
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(WorkflowDefinitionError);
      expect(error).toMatchObject({ name: "WorkflowDefinitionError", code: "WORKFLOW_DEFINITION" });
    }
  });

  test("freezes a definition, so a run cannot be changed after it was checked", () => {
    const steps = [step("a", noop)];
    const definition = defineWorkflow("frozen", steps);
    steps.push(step("b", noop));

    expect(definition.steps.map((s) => s.name)).toEqual(["a"]);
    expect(Object.isFrozen(definition)).toBe(true);
    expect(Object.isFrozen(definition.steps)).toBe(true);
    expect(Object.isFrozen(definition.steps[0])).toBe(true);
  });

  test("lets a partly built workflow be branched without the branches sharing steps", () => {
    const base = workflow("base").step("reserve", noop);
    const withCharge = base.step("charge", noop).build();
    const withInvoice = base.step("invoice", noop).build();

    expect(withCharge.steps.map((s) => s.name)).toEqual(["reserve", "charge"]);
    expect(withInvoice.steps.map((s) => s.name)).toEqual(["reserve", "invoice"]);
    expect(base.build().steps.map((s) => s.name)).toEqual(["reserve"]);
  });
});
