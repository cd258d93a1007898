import { entityName, entityStepOptions, type EntityRef, type EntityStepOptions } from "./create-entity-step.ts";
import type { Row, Where } from "../engine/definition/driver.ts";
import { step, type AnyStepContext, type Step } from "../engine/definition/step.ts";

/** Deletes one row and returns it; its compensation re-creates it with the same id and values. */
export function deleteEntityStep<Ctx extends AnyStepContext = AnyStepContext>(
  name: string,
  entity: EntityRef,
  where: (ctx: Ctx) => Where | Promise<Where>,
  options: EntityStepOptions = {},
): Step<Ctx, Row> {
  const model = entityName(entity);
  return step<Ctx, Row>(
    name,
    async (ctx) => {
      const filter = await where(ctx);
      const before = await ctx.driver.findOne(model, filter);
      if (!before) throw new Error(`${model} matching ${JSON.stringify(filter)} not found`);
      const row = await ctx.driver.delete(model, { id: before.id });
      if (options.storeAs) ctx.set(options.storeAs, row.id);
      return row;
    },
    options.compensate
      ? async (ctx, row) => {
          await ctx.driver.create(model, row);
        }
      : undefined,
    entityStepOptions(options),
  );
}
