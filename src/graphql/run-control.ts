import { GraphQLError } from "graphql";
import type { RequestContext } from "../entity/define-action.ts";
import type { ActionRuntime, AnyEntity } from "../action/run-action.ts";
import { entityWorkflows } from "../action/entity-workflows.ts";
import { cancelRun } from "../engine/control/cancel-run.ts";
import type { DurableRunJournal } from "../engine/journal/durable-run-journal.ts";
import { resumeRun, retryRun } from "../engine/control/reopen-run.ts";
import type { RunControlResult } from "../engine/control/run-control-result.ts";
import type { CancelRequest, RunSnapshot } from "../engine/journal/run-snapshot.ts";
import type { Builder } from "./builder.ts";
import type { GraphQLContext } from "./context.ts";
import type { RunVisibility } from "./run-visibility.ts";
import type { RunRef } from "./runs.ts";

export type RunControlOperation = "cancel" | "retry" | "resume";

export interface RunControlAuthorizeArgs {
  /** The caller's request context, as action authorization rules see it. */
  request: RequestContext;
  /** The run as the journal holds it before the operation. */
  run: RunSnapshot;
  operation: RunControlOperation;
}

export interface RunControlOptions {
  /**
   * Who may cancel, retry and resume which runs: `true`, or `false` / a reason to refuse (a GraphQL error with
   * `extensions.code: "FORBIDDEN"`; nothing changes). @default everyone may (the server logs a warning at start
   * when NODE_ENV=production)
   */
  authorize?: (args: RunControlAuthorizeArgs) => boolean | string | Promise<boolean | string>;
  /**
   * Who the journal records as having asked. @default the request context's `actor` (a string), else its
   * `user.id` or `user.sub`, else "anonymous"
   */
  actor?: (request: RequestContext) => string;
  /** How long a mutation waits for the run to end before it answers with the run as it then stands, in ms. @default 5000 */
  waitMs?: number;
}

interface RunControlTarget {
  store: DurableRunJournal;
  runtime: ActionRuntime;
  entities: readonly AnyEntity[];
  run: RunRef;
  /** Who may see which runs: a run the caller may not see is answered as one that does not exist. */
  visibility: RunVisibility;
  options: RunControlOptions;
}

const DESCRIPTIONS: Record<RunControlOperation, string> = {
  cancel:
    "Stops a run in flight: its current step is aborted (ctx.signal fires), its completed steps are compensated in reverse order, " +
    "and it ends CANCELLED (FAILED if a compensation fails). Returns the run once it ended, or as it stands after a short wait. " +
    "A run that already ended (or ends on its own first), is compensating, or got past its pivot is left as it is: a GraphQL error says " +
    "so with extensions.code RUN_ALREADY_ENDED, RUN_COMPENSATING or RUN_PAST_PIVOT and extensions.status.",
  retry:
    "A FAILED run whose compensation failed: runs its failed compensations again, from where they stopped (completed ones are not run again). " +
    "Refused with extensions.code RUN_NOT_RETRYABLE otherwise.",
  resume:
    "A parked run (recovery gave up on it, or its workflow was unknown or changed) or one stuck past its pivot: goes on from where its journal stands, " +
    "once its cause is fixed. Refused with extensions.code RUN_NOT_PARKED otherwise.",
};

/** `workflowRunCancel`, `workflowRunRetry`, `workflowRunResume`, and the run's `cancelRequest`. */
export function addRunControl(builder: Builder, target: RunControlTarget): void {
  const workflows = entityWorkflows(target.entities);
  const waitMs = target.options.waitMs ?? 5000;
  addCancelRequestField(builder, target.run);
  const control = (
    operation: RunControlOperation,
    perform: (id: string, by: string, reason: string | null) => Promise<RunControlResult>,
  ) =>
    builder.mutationField(`workflowRun${operation[0]!.toUpperCase()}${operation.slice(1)}`, (t) =>
      t.field({
        type: target.run,
        nullable: true,
        description: DESCRIPTIONS[operation],
        args: {
          id: t.arg.id({ required: true }),
          reason: t.arg.string({ description: "Why, journaled with who asked." }),
        },
        resolve: async (_root, args, context: GraphQLContext) => {
          const id = String(args.id);
          const by = await authorized(target, context.request, id, operation);
          return answer(await perform(id, by, args.reason ?? null));
        },
      }),
    );
  const { store, runtime } = target;
  const reopenOptions = (by: string, reason: string | null) => ({
    store,
    driver: runtime.driver,
    workflows,
    services: runtime.services,
    logger: runtime.logger,
    by,
    reason,
    waitMs,
  });
  control("cancel", (id, by, reason) => cancelRun(store, id, { by, reason, workflows, waitMs }));
  control("retry", (id, by, reason) => retryRun(id, reopenOptions(by, reason)));
  control("resume", (id, by, reason) => resumeRun(id, reopenOptions(by, reason)));
  if (!target.options.authorize && process.env.NODE_ENV === "production") {
    runtime.logger.warn({}, "anyone may cancel, retry and resume runs: give buildSchema a runControl.authorize rule");
  }
}

function addCancelRequestField(builder: Builder, run: RunRef): void {
  const request = builder.objectRef<CancelRequest>("WorkflowRunCancelRequest").implement({
    description: "Who asked for a run to be cancelled, why and when.",
    fields: (t) => ({
      by: t.exposeString("by", { description: "From the request that asked, or anonymous." }),
      reason: t.exposeString("reason", { nullable: true }),
      at: t.field({ type: "DateTime", resolve: (r) => r.at }),
    }),
  });
  builder.objectField(run, "cancelRequest", (t) =>
    t.field({
      type: request,
      nullable: true,
      description: "Set once someone asked to cancel the run, whatever became of it.",
      resolve: (r) => r.cancelRequest,
    }),
  );
}

/**
 * Who asks, once the run is one the caller may see and the app's rule let them; the rule sees the run as it
 * stands. A run the caller may not see is refused exactly as an unknown id is, so neither its existence nor its
 * status leaks, and nothing changes.
 */
async function authorized(
  target: RunControlTarget,
  request: RequestContext,
  id: string,
  operation: RunControlOperation,
): Promise<string> {
  const { authorize, actor } = target.options;
  const run = await target.store.getRun(id);
  if (!run || !(await target.visibility.canSee(run, request)))
    throw refusal("RUN_NOT_FOUND", `No run ${id}`, null, null);
  if (authorize) {
    const verdict = await authorize({ request, run, operation });
    if (verdict !== true)
      throw new GraphQLError(
        typeof verdict === "string" && verdict !== "" ? verdict : `Not allowed to ${operation} this run`,
        { extensions: { code: "FORBIDDEN" } },
      );
  }
  return actor ? actor(request) : defaultActor(request);
}

function defaultActor(request: RequestContext): string {
  const fields = request as { actor?: unknown; user?: { id?: unknown; sub?: unknown } };
  for (const candidate of [fields.actor, fields.user?.id, fields.user?.sub]) {
    if (typeof candidate === "string" && candidate !== "") return candidate;
    if (typeof candidate === "number") return String(candidate);
  }
  return "anonymous";
}

function answer(result: RunControlResult): RunSnapshot {
  if (result.changed) return result.run;
  throw refusal(result.code, result.message, result.run?.id ?? null, result.run?.status ?? null);
}

function refusal(code: string, message: string, runId: string | null, status: string | null): GraphQLError {
  return new GraphQLError(message, { extensions: { code, runId, status } });
}
