import type { ActionDefinition } from "../entity/define-action.ts";
import { pascalCase } from "../entity/names.ts";
import { runAction, type ActionRuntime, type ActionSuccess, type AnyEntity } from "../runtime/run-action.ts";
import type { Row } from "../saga/driver.ts";
import type { Builder } from "./builder.ts";
import type { EntityTypeRef } from "./entity-type.ts";
import { ACTION_ERROR_CLASSES } from "./errors.ts";
import { entityInputFields } from "./input-fields.ts";
import { actionFieldName } from "./names.ts";

export interface ActionTarget {
  entity: AnyEntity;
  actionName: string;
  definition: ActionDefinition<never, never, unknown, boolean>;
  /** The entity's object type, for the success member's `order` field. */
  entityType: EntityTypeRef;
  runtime: ActionRuntime;
}

interface ActionArgs {
  id?: string | number;
  input?: Row | null;
  idempotencyKey?: string | null;
}

/**
 * `orderCheckout(id, input, idempotencyKey): OrderCheckoutResult!`: runs the action's saga through
 * `runAction` and lets plugin-errors turn its `ActionError`s into union members. Anything else thrown is a
 * bug: it reaches yoga, which masks it for the client.
 */
export function addActionMutation(builder: Builder, target: ActionTarget): void {
  const { entity, actionName, definition, runtime } = target;
  const fieldName = actionFieldName(entity.name, actionName);
  const typePrefix = pascalCase(fieldName);
  const success = addSuccessType(builder, target, `${typePrefix}Success`);
  const input = definition.inputFields
    ? builder.inputRef<Row>(`${typePrefix}Input`).implement({ fields: (t) => entityInputFields(t, definition.inputFields!, "create") })
    : undefined;
  builder.mutationField(fieldName, (t) => {
    // Which arguments exist depends on the action (`id` only with a resource, `input` only with fields).
    type ArgRef = ReturnType<typeof t.arg.string>;
    const args: Record<string, ArgRef> = {};
    if (definition.hasResource) args.id = t.arg.id({ required: true, description: `The ${entity.typeName} to run on.` }) as unknown as ArgRef;
    if (input) args.input = t.arg({ type: input, required: true }) as unknown as ArgRef;
    args.idempotencyKey = t.arg.string({
      description:
        "At most one run per key (1 to 255 characters): a repeated request with the same key, id and input gets the first " +
        "run's outcome (waiting for it if it is still going); with another id or input it gets IdempotencyConflictError.",
    });
    return t.field({
      type: success,
      description: definition.description,
      args,
      errors: { types: ACTION_ERROR_CLASSES, directResult: true, union: { name: `${typePrefix}Result` } },
      resolve: (_root, rawArgs, context) => {
        const { id, input: given, idempotencyKey } = rawArgs as ActionArgs;
        return runAction(runtime, entity, actionName, {
          id: id === undefined ? undefined : String(id),
          input: given ?? undefined,
          idempotencyKey: idempotencyKey ?? undefined,
          request: context.request,
        });
      },
    });
  });
}

function addSuccessType(builder: Builder, target: ActionTarget, name: string) {
  const { entity, definition, entityType } = target;
  return builder.objectRef<ActionSuccess>(name).implement({
    description: `${entity.typeName} ${target.actionName} completed: every step ran.`,
    fields: (t) => ({
      result: t.field({
        type: "JSON",
        description: "The last step's return value ({} when it returned nothing).",
        resolve: (success) => success.result ?? {},
      }),
      ...(definition.hasResource
        ? { [entity.name]: t.field({ type: entityType, nullable: true, description: `The ${entity.typeName} after the run.`, resolve: (success) => success.resource }) }
        : {}),
      // Nullable only to match WorkflowError.runId: GraphQL refuses one response name with two nullabilities,
      // so `... on Success { runId } ... on WorkflowError { runId }` would not validate. A success always has one.
      runId: t.exposeID("runId", { nullable: true, description: "The journaled run (see workflowRun); always set on success." }),
      replayed: t.exposeBoolean("replayed", {
        description: "True when an earlier request with the same idempotencyKey ran the action and this is its outcome again.",
      }),
    }),
  });
}
