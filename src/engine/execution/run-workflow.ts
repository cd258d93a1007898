import type { DataMap } from "../definition/context.ts";
import { defineWorkflow, type WorkflowOptions } from "../definition/define-workflow.ts";
import type { Driver } from "../definition/driver.ts";
import { executeWorkflow, type ExecuteOptions, type WorkflowOutcome } from "./execute-workflow.ts";
import type { AnyStepContext, Step } from "../definition/step.ts";

export interface RunWorkflowOptions extends Omit<ExecuteOptions, "data">, WorkflowOptions {
  /** Shared data the first step can `ctx.get`. @default {} */
  initialData?: DataMap;
}

type LastOutput<S extends readonly unknown[]> = S extends readonly [...unknown[], Step<never, infer Out>]
  ? Out
  : unknown;

/** Defines and executes a workflow in one call. */
export function runWorkflow<const S extends readonly Step<AnyStepContext, unknown>[]>(
  driver: Driver,
  name: string,
  steps: S,
  options: RunWorkflowOptions = {},
): Promise<WorkflowOutcome<LastOutput<S>>> {
  const { initialData, useTransaction, transaction, ...execute } = options;
  try {
    const definition = defineWorkflow<AnyStepContext, LastOutput<S>>(
      name,
      steps,
      { useTransaction, transaction },
      initialData,
    );
    return executeWorkflow(driver, definition, execute);
  } catch (error) {
    // A promise-returning function reports every failure the same way, as a rejection.
    return Promise.reject(error);
  }
}
