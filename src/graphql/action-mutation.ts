import type { ActionDefinition } from "../entity/define-action.ts";
import { pascalCase } from "../entity/names.ts";
import { runAction, type ActionRuntime, type ActionSuccess, type AnyEntity } from "../action/run-action.ts";
import { startAction, type ActionStarted } from "../action/start-action.ts";
import type { Row } from "../engine/definition/driver.ts";
import type { Builder } from "./builder.ts";
import type { GraphQLContext } from "./context.ts";
import type { EntityTypeRef } from "./entity-type.ts";
import { ACTION_ERROR_CLASSES } from "./errors.ts";
import { entityInputFields } from "./input-fields.ts";
import { actionFieldName } from "./names.ts";
import type { RunRef } from "./runs.ts";

export interface ActionTarget {
  entity: AnyEntity;
  actionName: string;
  definition: ActionDefinition<never, never, unknown, boolean>;
  /** The entity's object type, for the success member's `order` field. */
  entityType: EntityTypeRef;
  runtime: ActionRuntime;
  /** `WorkflowRun`, for the `…Started` member's `run` field. */
  runType: RunRef;
  /**
   * The row as the caller may see it after the run: itself, or null outside the entity's read rule (an action
   * may move its row out of the caller's reach, e.g. a status the rule leaves out).
   * @default every row is visible
   */
  visibleRow?: (row: Row, context: GraphQLContext) => Promise<Row | null>;
}

interface ActionArgs {
  id?: string | number;
  input?: Row | null;
  idempotencyKey?: string | null;
  async?: boolean | null;
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
  const started = addStartedType(builder, target, `${typePrefix}Started`);
  const input = definition.inputFields
    ? builder
        .inputRef<Row>(`${typePrefix}Input`)
        .implement({ fields: (t) => entityInputFields(t, definition.inputFields!, "create") })
    : undefined;
  builder.mutationField(fieldName, (t) => {
    // Which arguments exist depends on the action (`id` only with a resource, `input` only with fields).
    type ArgRef = ReturnType<typeof t.arg.string>;
    const args: Record<string, ArgRef> = {};
    if (definition.hasResource)
      args.id = t.arg.id({ required: true, description: `The ${entity.typeName} to run on.` }) as unknown as ArgRef;
    if (input) args.input = t.arg({ type: input, required: true }) as unknown as ArgRef;
    args.idempotencyKey = t.arg.string({
      description:
        "At most one run per key (1 to 255 characters): a repeated request with the same key, id and input gets the first " +
        "run's outcome (waiting for it if it is still going); with another id or input it gets IdempotencyConflictError.",
    });
    args.async = t.arg.boolean({
      defaultValue: false,
      description: `True: answer ${typePrefix}Started as soon as the run is durably started; read the outcome from workflowRun or workflowRunUpdated.`,
    }) as unknown as ArgRef;
    return t.field({
      type: success,
      description: definition.description,
      args,
      errors: { types: [...ACTION_ERROR_CLASSES, started], directResult: true, union: { name: `${typePrefix}Result` } },
      resolve: async (_root, rawArgs, context) => {
        const { id, input: given, idempotencyKey, async: inBackground } = rawArgs as ActionArgs;
        const request = {
          id: id === undefined ? undefined : String(id),
          input: given ?? undefined,
          idempotencyKey: idempotencyKey ?? undefined,
          request: context.request,
        };
        if (!inBackground) return runAction(runtime, entity, actionName, request);
        // plugin-errors makes one success member; the other outcome travels the way the failure members do.
        throw new started(await startAction(runtime, entity, actionName, request));
      },
    });
  });
}

/** The answer of an `async: true` request; thrown as plugin-errors' members are, one class per action. */
abstract class StartedAnswer extends Error {
  readonly runId: string;
  readonly replayed: boolean;
  constructor(started: ActionStarted) {
    super("started");
    this.runId = started.runId;
    this.replayed = started.replayed;
  }
}

function addStartedType(
  builder: Builder,
  target: ActionTarget,
  name: string,
): new (started: ActionStarted) => StartedAnswer {
  const { entity, runtime, runType } = target;
  const answer = class extends StartedAnswer {};
  builder.objectType(answer, {
    name,
    description: `${entity.typeName} ${target.actionName} started (async: true): the run goes on; its outcome is in workflowRun(runId).`,
    isTypeOf: (value) => value instanceof answer,
    fields: (t) => ({
      // Nullable to match the other members' runId; always set.
      runId: t.exposeID("runId", { nullable: true, description: "The journaled run." }),
      run: t.field({
        type: runType,
        nullable: true,
        description: "The run as it is now.",
        resolve: (value) => runtime.store.getRun(value.runId),
      }),
      replayed: t.exposeBoolean("replayed", {
        description: "True when an earlier request with the same idempotencyKey started the run.",
      }),
    }),
  });
  return answer;
}

function addSuccessType(builder: Builder, target: ActionTarget, name: string) {
  const { entity, definition, entityType } = target;
  const visible = async (row: Row | null | undefined, context: GraphQLContext): Promise<Row | null> => {
    if (!row) return null;
    return target.visibleRow ? target.visibleRow(row, context) : row;
  };
  return builder.objectRef<ActionSuccess>(name).implement({
    description: `${entity.typeName} ${target.actionName} completed: every step ran.`,
    fields: (t) => ({
      result: t.field({
        type: "JSON",
        description: "The last step's return value ({} when it returned nothing).",
        resolve: (success) => success.result ?? {},
      }),
      ...(definition.hasResource
        ? {
            [entity.name]: t.field({
              type: entityType,
              nullable: true,
              description: `The ${entity.typeName} after the run; null when the caller may not read it.`,
              resolve: (success, _args, context) => visible(success.resource as Row | null | undefined, context),
            }),
          }
        : {}),
      // Nullable only to match WorkflowError.runId: GraphQL refuses one response name with two nullabilities,
      // so `... on Success { runId } ... on WorkflowError { runId }` would not validate. A success always has one.
      runId: t.exposeID("runId", {
        nullable: true,
        description: "The journaled run (see workflowRun); always set on success.",
      }),
      replayed: t.exposeBoolean("replayed", {
        description:
          "True when an earlier request with the same idempotencyKey ran the action and this is its outcome again.",
      }),
    }),
  });
}
