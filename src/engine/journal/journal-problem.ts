/**
 * Why `value` would not come back from the journal as it went in, or undefined when it would. The journal stores
 * JSON (plus Dates), and a resumed run must see exactly what the interrupted one saw — in `ctx.get` and in the
 * compensations' `result` argument — so anything JSON would drop, change or refuse is reported here instead:
 * functions, symbols, BigInts, NaN and ±Infinity, `undefined` inside arrays, cycles, and objects other than
 * plain objects, arrays and Dates (class instances, Maps, Sets, Buffers: they would come back as plain data
 * without their methods). `undefined` as a property value is fine: the property reads back as undefined.
 */
export function journalProblem(value: unknown, path: string): string | undefined {
  return problemAt(value, path, [], 0);
}

// Deeper than any real step result; the journal's encoder stops at the same depth.
const MAX_DEPTH = 200;

function problemAt(value: unknown, path: string, ancestors: object[], depth: number): string | undefined {
  switch (typeof value) {
    case "string":
    case "boolean":
    case "undefined":
      return undefined;
    case "number":
      return Number.isFinite(value) ? undefined : `${path} is ${value} (JSON has no such number)`;
    case "bigint":
      return `${path} is a BigInt (convert it to a string or number)`;
    case "function":
      return `${path} is a function`;
    case "symbol":
      return `${path} is a symbol`;
  }
  if (value === null || value instanceof Date) return undefined;
  return objectProblem(value as object, path, ancestors, depth);
}

function objectProblem(value: object, path: string, ancestors: object[], depth: number): string | undefined {
  if (ancestors.includes(value)) return `${path} refers back to one of its containers (a cycle)`;
  if (depth >= MAX_DEPTH) return `${path} is nested more than ${MAX_DEPTH} levels deep`;
  ancestors.push(value);
  try {
    if (Array.isArray(value)) return arrayProblem(value, path, ancestors, depth);
    const prototype = Object.getPrototypeOf(value) as object | null;
    if (prototype !== Object.prototype && prototype !== null)
      return `${path} is a ${kindOf(value)} (only plain objects, arrays and Dates round-trip)`;
    for (const key of Object.keys(value)) {
      const problem = problemAt(
        (value as Record<string, unknown>)[key],
        `${path}${propertyPath(key)}`,
        ancestors,
        depth + 1,
      );
      if (problem) return problem;
    }
    return undefined;
  } finally {
    ancestors.pop();
  }
}

function arrayProblem(value: unknown[], path: string, ancestors: object[], depth: number): string | undefined {
  for (let index = 0; index < value.length; index++) {
    const item = value[index];
    if (item === undefined) return `${path}[${index}] is undefined (JSON would turn it into null)`;
    const problem = problemAt(item, `${path}[${index}]`, ancestors, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

function kindOf(value: object): string {
  const name = (value.constructor as { name?: unknown } | undefined)?.name;
  return typeof name === "string" && name !== "" ? `${name} instance` : "object with a custom prototype";
}

function propertyPath(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}
