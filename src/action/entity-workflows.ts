import type { WorkflowDefinition } from "../engine/definition/define-workflow.ts";
import type { AnyEntity } from "./run-action.ts";

/** Every action workflow of the entities (named `<entity>.<action>`): what run recovery needs to resume runs. */
export function entityWorkflows(entities: readonly AnyEntity[]): WorkflowDefinition<never, unknown>[] {
  return entities.flatMap((entity) =>
    Object.values(entity.actionDefinitions).map((action) => action.workflow as WorkflowDefinition<never, unknown>),
  );
}
