import type { ImplementableObjectRef } from "@pothos/core";
import { publicError, type PublicError } from "../action/public-error.ts";
import type { SerializedError } from "../engine/errors.ts";
import type { RunStatus, StepStatus } from "../engine/journal/run-events.ts";
import type { RunSnapshot, StepSnapshot } from "../engine/journal/run-snapshot.ts";
import type { RunJournal } from "../engine/journal/run-journal.ts";
import type { Builder, Types } from "./builder.ts";
import { badUserInput } from "./crud-errors.ts";
import type { RunVisibility } from "./run-visibility.ts";

const RUN_STATUSES: Record<RunStatus, string> = {
  RUNNING: "Steps are running.",
  COMPLETED: "Every step completed.",
  COMPENSATING: "A step failed; completed steps are being undone.",
  COMPENSATED: "A step failed and every completed step was undone.",
  FAILED: "A step failed and undoing a completed step failed too: a person must look.",
  CANCELLED: "Cancelled (workflowRunCancel): the step under way was aborted and every completed step was undone.",
};

const STEP_STATUSES: Record<StepStatus, string> = {
  PENDING: "Not started yet.",
  RUNNING: "Running (or retrying).",
  COMPLETED: "Done.",
  FAILED: "Failed after its last attempt.",
  COMPENSATING: "Being undone.",
  COMPENSATED: "Undone (by its compensation, or by the transaction's rollback).",
  COMPENSATION_FAILED: "Its compensation failed.",
  SKIPPED: "Never ran, because an earlier step failed.",
};

/** Past runs a list returns at most; the journal can be large. */
const MAX_RUNS = 200;
/** Deep pages cost the journal a scan of every run before them; a console pages by time instead past this. */
const MAX_SKIPPED_RUNS = 10_000;

/** The `WorkflowRun` type, declared first so that other types (an async action's member) can refer to it. */
export function declareRunType(builder: Builder): DeclaredRunRef {
  return builder.objectRef<RunSnapshot>("WorkflowRun");
}

/** `workflowRun(id)` and `workflowRuns(status, workflow, take)`, read from the run journal; implements `run`. */
export function addRunQueries(
  builder: Builder,
  store: RunJournal,
  run: DeclaredRunRef,
  secrets: SecretInputs = new Map(),
  visibility?: RunVisibility,
): RunRef {
  const runStatus = builder.enumType("WorkflowRunStatus", { values: describe(RUN_STATUSES) });
  addRunType(builder, runStatus, run, secrets);
  builder.queryField("workflowRun", (t) =>
    t.field({
      type: run,
      nullable: true,
      args: { id: t.arg.id({ required: true }) },
      // A run the caller may not see reads as one that does not exist.
      resolve: async (_root, args, context) => {
        const found = await store.getRun(String(args.id));
        return found && (!visibility || (await visibility.canSee(found, context.request))) ? found : null;
      },
    }),
  );
  builder.queryField("workflowRuns", (t) =>
    t.field({
      type: [run],
      description: "Runs, newest first: only those of actions the caller may run, on rows the caller may read.",
      args: {
        status: t.arg({ type: runStatus }),
        workflow: t.arg.string({ description: "e.g. order.checkout" }),
        take: t.arg.int({ description: `At most this many (default 50, at most ${MAX_RUNS}).` }),
        skip: t.arg.int({
          description: `Leave out this many of the newest first: the next page (at most ${MAX_SKIPPED_RUNS}).`,
        }),
        createdAfter: t.arg({ type: "DateTime", description: "Only runs started at or after this time." }),
        createdBefore: t.arg({ type: "DateTime", description: "Only runs started before this time." }),
      },
      resolve: (_root, args, context) => {
        const take = args.take ?? 50;
        if (take < 0 || take > MAX_RUNS)
          throw badUserInput(`take must be between 0 and ${MAX_RUNS}`, { field: "take" });
        const skip = args.skip ?? 0;
        if (skip < 0 || skip > MAX_SKIPPED_RUNS)
          throw badUserInput(`skip must be between 0 and ${MAX_SKIPPED_RUNS}`, { field: "skip" });
        const filter = {
          status: args.status ?? undefined,
          workflow: args.workflow ?? undefined,
          take,
          skip,
          createdAfter: args.createdAfter ?? undefined,
          createdBefore: args.createdBefore ?? undefined,
        };
        return visibility ? visibility.list(filter, context.request) : store.listRuns(filter);
      },
    }),
  );
  return run;
}

type RunStatusRef = PothosSchemaTypes.EnumRef<Types, RunStatus>;

/** The `.secret()` input fields of each workflow, by workflow name. */
export type SecretInputs = ReadonlyMap<string, readonly string[]>;

const REDACTED = "[redacted]";

/** The input as a client may see it: a secret field's value replaced, whatever it was. */
function redacted(input: unknown, secret: readonly string[] | undefined): unknown {
  if (!secret || secret.length === 0 || typeof input !== "object" || input === null) return input;
  const shown: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const field of secret) if (field in shown) shown[field] = REDACTED;
  return shown;
}

/** `error` and `errorCode` each ask for the same journaled error: it is classified once. */
const shownErrors = new WeakMap<SerializedError, PublicError>();

/** Clients see a journaled error as an action's result shows it: infrastructure text stays in the journal. */
function shown(error: SerializedError | null | undefined, step: string | null): PublicError | undefined {
  if (!error) return undefined;
  let result = shownErrors.get(error);
  if (!result) shownErrors.set(error, (result = publicError(error, step)));
  return result;
}
export type RunRef = PothosSchemaTypes.ObjectRef<Types, RunSnapshot>;
export type DeclaredRunRef = ImplementableObjectRef<Types, RunSnapshot>;

function addStepRunType(builder: Builder) {
  const stepStatus = builder.enumType("WorkflowStepStatus", { values: describe(STEP_STATUSES) });
  return builder.objectRef<StepSnapshot>("WorkflowStepRun").implement({
    description: "One step of a run, as the journal recorded it.",
    fields: (t) => ({
      name: t.exposeString("name"),
      index: t.exposeInt("index", { description: "Position in the workflow, from 0." }),
      status: t.field({ type: stepStatus, resolve: (step) => step.status }),
      attempts: t.exposeInt("attempts", { description: "Attempts made so far, the first included." }),
      error: t.string({
        nullable: true,
        description: "The last attempt's error.",
        resolve: (step) => shown(step.error, step.name)?.message ?? null,
      }),
      errorCode: t.string({ nullable: true, resolve: (step) => shown(step.error, step.name)?.code ?? null }),
      compensationError: t.string({
        nullable: true,
        description: "Why undoing the step failed.",
        resolve: (step) => shown(step.compensationError, step.name)?.message ?? null,
      }),
      compensationErrorCode: t.string({
        nullable: true,
        resolve: (step) => shown(step.compensationError, step.name)?.code ?? null,
      }),
      compensationAttempts: t.exposeInt("compensationAttempts", {
        description: "Attempts at undoing the step so far, the first included.",
      }),
      result: t.field({
        type: "JSON",
        nullable: true,
        description: "What the step returned.",
        resolve: (step) => step.result ?? null,
      }),
      startedAt: t.field({ type: "DateTime", nullable: true, resolve: (step) => step.startedAt }),
      endedAt: t.field({ type: "DateTime", nullable: true, resolve: (step) => step.endedAt }),
    }),
  });
}

function addRunType(builder: Builder, runStatus: RunStatusRef, ref: DeclaredRunRef, secrets: SecretInputs): RunRef {
  const stepRun = addStepRunType(builder);
  return ref.implement({
    description: "One run of a workflow (an action's saga), as the journal recorded it.",
    fields: (t) => ({
      id: t.exposeID("id"),
      workflow: t.exposeString("workflow", { description: "`<entity>.<action>`, e.g. order.checkout." }),
      status: t.field({ type: runStatus, resolve: (r) => r.status }),
      steps: t.field({ type: [stepRun], resolve: (r) => r.steps }),
      failedStep: t.exposeString("failedStep", { nullable: true }),
      error: t.string({
        nullable: true,
        description: "The error that stopped the run.",
        resolve: (r) => shown(r.error, r.failedStep)?.message ?? null,
      }),
      errorCode: t.string({ nullable: true, resolve: (r) => shown(r.error, r.failedStep)?.code ?? null }),
      input: t.field({
        type: "JSON",
        nullable: true,
        description: 'The action\'s input; a `.secret()` field shows "[redacted]".',
        resolve: (r) => redacted(r.input, secrets.get(r.workflow)) ?? null,
      }),
      data: t.field({ type: "JSON", description: "What the steps shared through ctx.set.", resolve: (r) => r.data }),
      result: t.field({
        type: "JSON",
        nullable: true,
        description: "The last step's result, once COMPLETED.",
        resolve: (r) => r.result ?? null,
      }),
      resourceId: t.exposeID("resourceId", { nullable: true, description: "The row the action ran on." }),
      idempotencyKey: t.exposeString("idempotencyKey", { nullable: true }),
      transactional: t.exposeBoolean("transactional", { description: "Its database writes shared one transaction." }),
      rolledBack: t.exposeBoolean("rolledBack", { description: "Its transaction was rolled back." }),
      createdAt: t.field({ type: "DateTime", resolve: (r) => r.createdAt }),
      updatedAt: t.field({ type: "DateTime", resolve: (r) => r.updatedAt }),
    }),
  });
}

function describe<K extends string>(statuses: Record<K, string>): Record<K, { value: K; description: string }> {
  return Object.fromEntries(
    Object.entries(statuses).map(([key, description]) => [key, { value: key, description }]),
  ) as Record<K, { value: K; description: string }>;
}
