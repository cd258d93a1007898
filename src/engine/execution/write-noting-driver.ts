import type { Driver } from "../definition/driver.ts";

/** What a step can call on a driver without changing the database; anything else may write. */
const READS: ReadonlySet<PropertyKey> = new Set([
  "inTransaction",
  "findOne",
  "findMany",
  "count",
  "readStepCheckpoint",
]);

/**
 * `driver` as it is, except that `wrote` is called before any call that may change the database. An external step
 * of a workflow transaction runs on it: when the transaction is rolled back and tried again, a step that wrote
 * through it must run again — its writes went with the rollback — while one that did not keeps its result.
 */
export function writeNotingDriver(driver: Driver, wrote: () => void): Driver {
  return new Proxy(driver, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== "function") return value;
      const method = value as (...args: unknown[]) => unknown;
      if (READS.has(property)) return method.bind(target);
      return (...args: unknown[]) => {
        wrote();
        return method.apply(target, args);
      };
    },
  });
}
