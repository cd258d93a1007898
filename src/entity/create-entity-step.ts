import type { Row } from "../engine/definition/driver.ts";
import type { EntityCreateOf, EntityRowOf } from "./entity-step-types.ts";
import { step, type AnyStepContext, type Step, type StepOptions } from "../engine/definition/step.ts";

export interface EntityStepOptions extends Omit<StepOptions, "effect"> {
  /** `ctx.set(storeAs, row.id)` after the write, for later steps. */
  storeAs?: string;
  /** Undo the write when a later step fails. @default false */
  compensate?: boolean;
}

/** What the entity-step builders accept as an entity: its name or its definition. */
export type EntityRef = string | { readonly name: string };

export function entityName(entity: EntityRef): string {
  return typeof entity === "string" ? entity : entity.name;
}

export function entityStepOptions(options: EntityStepOptions): StepOptions {
  const { storeAs: _storeAs, compensate: _compensate, ...stepOptions } = options;
  return { ...stepOptions, effect: "database" };
}

/**
 * Creates a row; its compensation deletes it again. Given an entity definition rather than a name, `data` is
 * checked against it (required fields and `belongsTo` foreign keys such as `customerId` must be there) and the
 * step's output is its row type.
 */
export function createEntityStep<Ctx extends AnyStepContext = AnyStepContext, E extends EntityRef = EntityRef>(
  name: string,
  entity: E,
  data: (ctx: Ctx) => EntityCreateOf<E> | Promise<EntityCreateOf<E>>,
  options: EntityStepOptions = {},
): Step<Ctx, EntityRowOf<E>> {
  const model = entityName(entity);
  return step<Ctx, EntityRowOf<E>>(
    name,
    async (ctx) => {
      const row = await ctx.driver.create<EntityRowOf<E> & Row>(model, (await data(ctx)) as Row);
      if (options.storeAs) ctx.set(options.storeAs, row.id);
      return row;
    },
    options.compensate
      ? async (ctx, row) => {
          await ctx.driver.delete(model, { id: (row as Row).id });
        }
      : undefined,
    entityStepOptions(options),
  );
}
