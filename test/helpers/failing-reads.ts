/**
 * A real driver or run journal whose named methods fail every other call — the first, the third, … — with the error
 * PostgreSQL sends a connection it terminated (`pg_terminate_backend`), before the call reaches the database;
 * the calls in between, and every other method, go to the real object. It stands for a connection killed between
 * two reads, at a moment a real kill cannot be timed to.
 */
export interface FailingReads<T> {
  target: T;
  /** How many calls failed. */
  readonly failures: number;
}

export function terminatedConnection(): Error {
  return Object.assign(new Error("terminating connection due to administrator command"), {
    code: "57P01",
    severity: "FATAL",
  });
}

export function failingEveryOtherRead<T extends object>(real: T, methods: readonly string[]): FailingReads<T> {
  const calls = new Map<PropertyKey, number>();
  let failures = 0;
  const target = new Proxy(real, {
    get(object, property) {
      const value = Reflect.get(object, property, object) as unknown;
      if (typeof value !== "function") return value;
      const method = (value as (...args: unknown[]) => unknown).bind(object);
      if (!methods.includes(String(property))) return method;
      return async (...args: unknown[]) => {
        const n = (calls.get(property) ?? 0) + 1;
        calls.set(property, n);
        if (n % 2 === 1) {
          failures += 1;
          throw terminatedConnection();
        }
        return method(...args);
      };
    },
  });
  return {
    target,
    get failures() {
      return failures;
    },
  };
}
