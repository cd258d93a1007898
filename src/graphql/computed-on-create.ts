import type { RequestContext } from "../entity/define-action.ts";
import type { ComputedOnCreate } from "../entity/define-entity.ts";
import type { Driver, Row } from "../engine/definition/driver.ts";
import { badUserInput } from "./crud-errors.ts";

/**
 * The create's data with the server's computed values in: a client may leave a computed field out, and one that
 * sent another value is refused, naming the value the server computed — it never stores what the client chose.
 */
export function computeOnCreate(
  computed: ComputedOnCreate<Row>,
  driver: Driver,
): ((data: Row, request: RequestContext) => Promise<Row>) | undefined {
  const entries = Object.entries(computed).filter(
    (entry): entry is [string, NonNullable<(typeof entry)[1]>] => typeof entry[1] === "function",
  );
  if (entries.length === 0) return undefined;
  return async (data, request) => {
    const result: Row = { ...data };
    for (const [field, compute] of entries) {
      const value = await compute({ data, driver, request });
      if (field in data && data[field] !== value) {
        throw badUserInput(
          `${field} is computed by the server (${JSON.stringify(value)}); leave it out or send that value`,
          { fields: [field] },
        );
      }
      result[field] = value;
    }
    return result;
  };
}
