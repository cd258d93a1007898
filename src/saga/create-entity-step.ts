import type { Row } from "./driver.ts";
import { step, type AnyStepContext, type Step, type StepOptions } from "./step.ts";

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

/** Creates a row; its compensation deletes it again. */
export function createEntityStep<Ctx extends AnyStepContext = AnyStepContext>(
  name: string,
  entity: EntityRef,
  data: (ctx: Ctx) => Row | Promise<Row>,
  options: EntityStepOptions = {},
): Step<Ctx, Row> {
  const model = entityName(entity);
  return step<Ctx, Row>(
    name,
    async (ctx) => {
      const row = await ctx.driver.create(model, await data(ctx));
      if (options.storeAs) ctx.set(options.storeAs, row.id);
      return row;
    },
    options.compensate
      ? async (ctx, row) => {
          await ctx.driver.delete(model, { id: row.id });
        }
      : undefined,
    entityStepOptions(options),
  );
}
