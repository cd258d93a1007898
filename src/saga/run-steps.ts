import { serializeError } from "./errors.ts";
import { AttemptsExhausted, runWithRetry, withTimeout } from "./retry.ts";
import type { RunState, StepFailure } from "./run-state.ts";
import type { AnyStepContext, Step } from "./step.ts";

/**
 * Runs the steps in order from where the run stands, stopping at the first failure, and resolves to what
 * `settle` makes of that failure (undefined when every step completed). Settling here rather than in the
 * caller keeps a whole run in one async frame. Without a journal, a step without retry or timeout is a bare
 * `await`: this loop is the engine's hot path.
 */
export async function runSteps<T>(run: RunState, settle: (run: RunState, failure: StepFailure | undefined) => T | Promise<T>): Promise<T> {
  const { steps, ctx, results } = run;
  for (let index = results.length; index < steps.length; index++) {
    const step = steps[index]!;
    ctx.stepName = step.name;
    ctx.attempt = 1;
    try {
      results.push(
        run.store === undefined && step.options.retry === undefined && step.options.timeout === undefined
          ? await step.execute(ctx)
          : await runJournaledStep(run, step, index),
      );
    } catch (caught) {
      const exhausted = caught instanceof AttemptsExhausted ? caught : new AttemptsExhausted(caught, ctx.attempt);
      run.failure = { index, stepName: step.name, error: exhausted.error, attempts: exhausted.attempts, rolledBack: false };
      return settle(run, run.failure);
    }
  }
  return settle(run, undefined);
}

async function runJournaledStep(run: RunState, step: Step<AnyStepContext, unknown>, index: number): Promise<unknown> {
  const { ctx, store } = run;
  const name = step.name;
  const attempt = async (n: number): Promise<unknown> => {
    ctx.attempt = n;
    await store?.record({ type: "step-started", runId: ctx.runId, step: name, index, attempt: n, at: new Date() });
    return withTimeout(Promise.resolve(step.execute(ctx)), name, step.options.timeout);
  };
  try {
    const { value, attempts } = await runWithRetry(attempt, step.options.retry, {
      onRetry: (n, error, delayMs) => {
        run.logger.warn({ runId: ctx.runId, step: name, attempt: n, delayMs, err: serializeError(error) }, "step attempt failed; retrying");
        return store?.record({ type: "step-retrying", runId: ctx.runId, step: name, index, attempt: n, error: serializeError(error), delayMs, at: new Date() });
      },
    });
    await store?.record({ type: "step-completed", runId: ctx.runId, step: name, index, attempts, result: value, data: { ...ctx.data }, at: new Date() });
    return value;
  } catch (caught) {
    if (!(caught instanceof AttemptsExhausted)) throw caught;
    await store?.record({ type: "step-failed", runId: ctx.runId, step: name, index, attempts: caught.attempts, error: serializeError(caught.error), at: new Date() });
    throw caught;
  }
}
