/**
 * Names of the rows in the app database's checkpoint table (`Driver.writeStepCheckpoint`). Prefixed so that no
 * step name can collide with the commit marker or with another step's compensation.
 */
export function stepCheckpointKey(stepName: string): string {
  return `step:${stepName}`;
}

export function compensationCheckpointKey(stepName: string): string {
  return `compensation:${stepName}`;
}

/** Written inside a transactional run's transaction: present exactly when that transaction committed. */
export const COMMIT_CHECKPOINT_KEY = "commit";

/** What a checkpoint holds: the step's result and the shared data as the step left it. */
export interface CheckpointOutput {
  result: unknown;
  data: Record<string, unknown>;
}
