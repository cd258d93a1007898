import { entityName, entityStepOptions, type EntityRef, type EntityStepOptions } from "./create-entity-step.ts";
import type { Row, Where } from "./driver.ts";
import { step, type AnyStepContext, type Step } from "./step.ts";

/** What an update step returns: the updated row and the values it replaced, which its compensation restores. */
export interface EntityUpdate {
  row: Row;
  previous: Row;
}

/** Updates one row; its compensation writes back the previous values of the fields it changed. */
export function updateEntityStep<Ctx extends AnyStepContext = AnyStepContext>(
  name: string,
  entity: EntityRef,
  where: (ctx: Ctx) => Where | Promise<Where>,
  data: (ctx: Ctx) => Row | Promise<Row>,
  options: EntityStepOptions = {},
): Step<Ctx, EntityUpdate> {
  const model = entityName(entity);
  return step<Ctx, EntityUpdate>(
    name,
    async (ctx) => {
      const filter = await where(ctx);
      const changes = await data(ctx);
      const before = await ctx.driver.findOne(model, filter);
      if (!before) throw new Error(`${model} matching ${JSON.stringify(filter)} not found`);
      const row = await ctx.driver.update(model, { id: before.id }, changes);
      if (options.storeAs) ctx.set(options.storeAs, row.id);
      return { row, previous: pick(before, Object.keys(changes)) };
    },
    options.compensate
      ? async (ctx, update) => {
          await ctx.driver.update(model, { id: update.row.id }, update.previous);
        }
      : undefined,
    entityStepOptions(options),
  );
}

function pick(row: Row, keys: readonly string[]): Row {
  return Object.fromEntries(keys.map((key) => [key, row[key] ?? null]));
}
