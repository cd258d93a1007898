import type { AnyEntity } from "../action/run-action.ts";
import type { Logger } from "../engine/logger.ts";

/** The entities without access rules: anyone may use every operation and action they have. */
export function openEntities(entities: readonly AnyEntity[]): string[] {
  return entities.filter((entity) => entity.accessRules === undefined).map((entity) => entity.name);
}

/**
 * Open entities are the default, so that a first app works before it thinks about access; in production that is
 * more likely an oversight, so the server says which ones are open when it starts.
 */
export function warnOfOpenEntities(
  entities: readonly AnyEntity[],
  logger: Logger,
  environment: string | undefined = process.env.NODE_ENV,
): void {
  if (environment !== "production") return;
  const open = openEntities(entities);
  if (open.length === 0) return;
  logger.warn(
    { entities: open },
    `entities without access rules, open to every caller: ${open.join(", ")}; give them .access({ ... }) rules`,
  );
}
