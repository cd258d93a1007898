import type { RequestContext } from "../entity/define-action.ts";
import type { Driver, Where } from "../engine/definition/driver.ts";
import type { TransientRetryOptions } from "../engine/execution/wait-policy.ts";
import { waitOutTransient } from "../engine/execution/wait-out-transient.ts";
import { actionScope, rowWhere } from "./access-scope.ts";
import { ForbiddenError, NotFoundError, type ActionError } from "./action-errors.ts";
import type { AnyEntity } from "./run-action.ts";

/** How the row an action runs on is read under the entity's access rule of that action. */
export interface ActionRowCheck {
  /** The where the row must match: its id, and the rule's filter if it has one. */
  where(id: string): Where;
  /** Why no row matched `where(id)`: NotFoundError when there is none, ForbiddenError when the rule left it out. */
  refusal(id: string): Promise<ActionError>;
}

const REFUSED = "Not allowed to run this action";

/**
 * Asks the entity's rule for the action (`entity.access({ actions })`): refused, nothing runs (ForbiddenError);
 * a filter, the row must match it (checked here, and again where the run reads the row). An action without a
 * row has none to match a filter, so a filter refuses it.
 */
export async function actionRowCheck(
  driver: Driver,
  entity: AnyEntity,
  actionName: string,
  request: RequestContext,
  id: string | undefined,
  transientRetry?: TransientRetryOptions,
): Promise<ActionRowCheck> {
  const scope = await actionScope(entity, actionName, request);
  if (scope.kind === "none" || (scope.kind === "rows" && id === undefined)) throw new ForbiddenError(REFUSED);
  const check: ActionRowCheck = {
    where: (rowId) => rowWhere(rowId, scope),
    refusal: async (rowId) => {
      const exists =
        scope.kind === "rows" &&
        (await waitOutTransient(() => driver.findOne(entity.name, { id: rowId }), transientRetry)) !== null;
      return exists ? new ForbiddenError(`${REFUSED} on this ${entity.name}`) : new NotFoundError(entity.name, rowId);
    },
  };
  if (
    scope.kind === "rows" &&
    (await waitOutTransient(() => driver.findOne(entity.name, check.where(id!)), transientRetry)) === null
  ) {
    throw await check.refusal(id!);
  }
  return check;
}
