import { entityName, entityStepOptions, type EntityRef, type EntityStepOptions } from "./create-entity-step.ts";
import type { Row, Where } from "../engine/definition/driver.ts";
import type { EntityRowOf, EntityUpdateOf } from "./entity-step-types.ts";
import { step, type AnyStepContext, type Step } from "../engine/definition/step.ts";

/** What an update step returns: the updated row and the values it replaced, which its compensation restores. */
export interface EntityUpdate<R = Row> {
  row: R;
  previous: Row;
}

/**
 * Updates one row; its compensation writes back the previous values of the fields it changed. Given an entity
 * definition rather than a name, `data` is checked against its fields (foreign keys included) and `row` is typed.
 */
export function updateEntityStep<Ctx extends AnyStepContext = AnyStepContext, E extends EntityRef = EntityRef>(
  name: string,
  entity: E,
  where: (ctx: Ctx) => Where | Promise<Where>,
  data: (ctx: Ctx) => EntityUpdateOf<E> | Promise<EntityUpdateOf<E>>,
  options: EntityStepOptions = {},
): Step<Ctx, EntityUpdate<EntityRowOf<E>>> {
  const model = entityName(entity);
  return step<Ctx, EntityUpdate<EntityRowOf<E>>>(
    name,
    async (ctx) => {
      const filter = await where(ctx);
      const changes = (await data(ctx)) as Row;
      const before = await ctx.driver.findOne(model, filter);
      if (!before) throw new Error(`${model} matching ${JSON.stringify(filter)} not found`);
      const row = await ctx.driver.update<EntityRowOf<E> & Row>(model, { id: before.id }, changes);
      if (options.storeAs) ctx.set(options.storeAs, row.id);
      return { row, previous: pick(before, Object.keys(changes)) };
    },
    options.compensate
      ? async (ctx, update) => {
          await ctx.driver.update(model, { id: (update.row as Row).id }, update.previous);
        }
      : undefined,
    entityStepOptions(options),
  );
}

function pick(row: Row, keys: readonly string[]): Row {
  return Object.fromEntries(keys.map((key) => [key, row[key] ?? null]));
}
