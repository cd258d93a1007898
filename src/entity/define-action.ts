import type { DataMap, StepContext } from "../engine/definition/context.ts";
import { defineWorkflow, type WorkflowDefinition, type WorkflowOptions } from "../engine/definition/define-workflow.ts";
import { WorkflowDefinitionError } from "../engine/errors.ts";
import type { Step } from "../engine/definition/step.ts";
import { isField } from "./field.ts";
import type { FieldMap, InferInput } from "./infer.ts";

/**
 * The request an authorization rule sees. Augment `RequestContext` to type what your server puts in it:
 *
 *     declare module "sagaql" { interface RequestContext { user?: { id: string; role: string } } }
 */
export interface RequestContext {}

export interface AuthorizeArgs<Input = unknown> {
  request: RequestContext;
  input: Input;
  resourceId: string | undefined;
}

/** Says whether the caller may run the action: `true`, or `false` / a reason string to refuse. */
export type AuthorizeRule<Input = unknown> = (
  args: AuthorizeArgs<Input>,
) => boolean | string | Promise<boolean | string>;

export interface ActionSettings {
  /** Does the action run on one row (`id` argument, `ctx.resource`)? @default true */
  resource?: boolean;
  /** Shown in the GraphQL schema. */
  description?: string;
}

/** The context of a step of an entity action: `Resource` is the entity's row type (or undefined). */
export type ActionContext<Input, Resource, Data extends DataMap = DataMap> = StepContext<Input, Resource, Data>;

/** `Row` is the entity's row type; `ctx.resource` is that row, or undefined when `HasResource` is false. */
export interface ActionDefinition<
  Row = unknown,
  Input = unknown,
  Out = unknown,
  HasResource extends boolean = boolean,
> {
  readonly kind: "action";
  /** The `.input()` fields, or undefined for an action without input. */
  readonly inputFields: FieldMap | undefined;
  readonly hasResource: boolean;
  readonly description: string | undefined;
  readonly authorize: AuthorizeRule<Input> | undefined;
  /** Named `action` until the entity names it `<entity>.<action>`. */
  readonly workflow: WorkflowDefinition<ActionContext<Input, HasResource extends true ? Row : undefined>, Out>;
}

type LastOutput<S extends readonly unknown[]> = S extends readonly [...unknown[], Step<never, infer Out>]
  ? Out
  : unknown;

/** `R` is left for `.workflow()` to infer from where the action is used: the entity's row type. */
export class ActionBuilder<Input, HasResource extends boolean> {
  constructor(
    private readonly settings: {
      inputFields: FieldMap | undefined;
      hasResource: boolean;
      description: string | undefined;
      authorize: AuthorizeRule<Input> | undefined;
    },
  ) {}

  /** Declares the action's input; steps read it, typed, as `ctx.input`. */
  input<F extends FieldMap>(fields: F): ActionBuilder<InferInput<F>, HasResource> {
    assertInputFields(fields);
    // A rule set before `.input()` must survive it: dropping it would silently open the action to everyone.
    const authorize = this.settings.authorize as AuthorizeRule<InferInput<F>> | undefined;
    return new ActionBuilder<InferInput<F>, HasResource>({ ...this.settings, inputFields: fields, authorize });
  }

  /** A rule run before the workflow; when it refuses, nothing runs and the caller gets a typed failure. */
  authorize(rule: AuthorizeRule<Input>): ActionBuilder<Input, HasResource> {
    return new ActionBuilder<Input, HasResource>({ ...this.settings, authorize: rule });
  }

  workflow<R, const S extends readonly Step<ActionContext<Input, HasResource extends true ? R : undefined>, unknown>[]>(
    steps: S,
    options: WorkflowOptions = {},
  ): ActionDefinition<R, Input, LastOutput<S>, HasResource> {
    const workflow = defineWorkflow<ActionContext<Input, HasResource extends true ? R : undefined>, LastOutput<S>>(
      "action",
      steps,
      options,
    );
    return Object.freeze({ kind: "action", ...this.settings, workflow });
  }
}

function assertInputFields(fields: FieldMap): void {
  for (const [name, field] of Object.entries(fields)) {
    if (!isField(field))
      throw new WorkflowDefinitionError(`Input field "${name}" is not a field builder (string, int, …)`);
  }
}

export function action(settings?: ActionSettings & { resource?: true }): ActionBuilder<undefined, true>;
export function action(settings: ActionSettings & { resource: false }): ActionBuilder<undefined, false>;
export function action(settings: ActionSettings = {}): ActionBuilder<undefined, boolean> {
  return new ActionBuilder({
    inputFields: undefined,
    hasResource: settings.resource !== false,
    description: settings.description,
    authorize: undefined,
  });
}
