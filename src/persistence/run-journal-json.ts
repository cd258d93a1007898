import { createHash } from "node:crypto";
import { SagaqlError } from "../engine/errors.ts";

/**
 * How the SQL journals store JSON values. Plain JSON with two additions, so values come back as they went in:
 * a Date is written `{"$sagaql.date": "<ISO>"}` and read back as a Date, and an object that happens to look
 * like such a tag is wrapped in `{"$sagaql.escape": …}` so it is not mistaken for one. `undefined` is stored
 * as SQL NULL (distinct from JSON `null`). Everything else follows JSON.stringify.
 */
const DATE_TAG = "$sagaql.date";
const ESCAPE_TAG = "$sagaql.escape";
const TAG_PREFIX = '"$sagaql.';
// Deeper than any real step result; a cycle hits it instead of overflowing the stack.
const MAX_DEPTH = 200;

/** A value the journal cannot store: it would not come back as it went in. */
export class JournalEncodingError extends SagaqlError {
  readonly code = "JOURNAL_ENCODING";
  constructor(what: string, cause: unknown) {
    super(
      `Cannot journal ${what}: ${cause instanceof Error ? cause.message : String(cause)}. Journaled values must be JSON-serialisable.`,
      { cause },
    );
    this.name = "JournalEncodingError";
  }
}

/** JSON text of `value`, or null for `undefined`. `what` names the value in the error when it cannot be encoded. */
export function encodeJournalValue(value: unknown, what: string): string | null {
  if (value === undefined) return null;
  try {
    const text = JSON.stringify(tag(value, 0));
    return text ?? null;
  } catch (error) {
    throw new JournalEncodingError(what, error);
  }
}

/** The value `encodeJournalValue` wrote; SQL NULL is `undefined`. */
export function decodeJournalValue(text: string | null): unknown {
  if (text === null) return undefined;
  const parsed: unknown = JSON.parse(text);
  return text.includes(TAG_PREFIX) ? untag(parsed) : parsed;
}

/** Like `decodeJournalValue`, for columns where SQL NULL means `null` (errors). */
export function decodeJournalNullable<T>(text: string | null): T | null {
  return text === null ? null : (decodeJournalValue(text) as T);
}

/**
 * A stable digest of a run's input: key order does not matter, Dates count by their instant. Compare it with
 * `JournaledRun.inputHash` to tell a retried request from a different one reusing its idempotency key.
 */
export function hashRunInput(input: unknown): string {
  const canonical = input === undefined ? "undefined" : canonicalJson(tag(input, 0));
  return createHash("sha256").update(canonical).digest("base64url");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value))
    return `[${value.map((item) => (item === undefined ? "null" : canonicalJson(item))).join(",")}]`;
  if (value === null || typeof value !== "object" || typeof (value as { toJSON?: unknown }).toJSON === "function") {
    return JSON.stringify(value) ?? "null";
  }
  const entries = Object.keys(value)
    .sort()
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(",")}}`;
}

/** Copy-on-write: returns `value` itself unless it holds a Date or a tag look-alike, so most values are not copied. */
function tag(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== "object") return value;
  if (depth > MAX_DEPTH) throw new TypeError("value is nested too deeply or is circular");
  if (value instanceof Date) return { [DATE_TAG]: Number.isNaN(value.getTime()) ? null : value.toISOString() };
  if (Array.isArray(value)) return tagArray(value, depth);
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") return value;
  const keys = Object.keys(value);
  let copy: Record<string, unknown> | undefined;
  for (const key of keys) {
    const item = (value as Record<string, unknown>)[key];
    const tagged = tag(item, depth + 1);
    if (tagged !== item) setOwn((copy ??= { ...(value as Record<string, unknown>) }), key, tagged);
  }
  const result = copy ?? value;
  return isTagKey(keys) ? { [ESCAPE_TAG]: result } : result;
}

function tagArray(value: unknown[], depth: number): unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const tagged = tag(value[i], depth + 1);
    if (tagged !== value[i]) (copy ??= value.slice())[i] = tagged;
  }
  return copy ?? value;
}

function isTagKey(keys: string[]): boolean {
  return keys.length === 1 && (keys[0] === DATE_TAG || keys[0] === ESCAPE_TAG);
}

/** Top-down, so an escaped object's own tag-like key is kept rather than turned into a Date. */
function untag(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return untagFields(value as unknown as Record<string, unknown>);
  const record = value as Record<string, unknown>;
  if (isTagKey(Object.keys(record))) {
    if (DATE_TAG in record)
      return record[DATE_TAG] === null ? new Date(Number.NaN) : new Date(record[DATE_TAG] as string);
    return untagFields(record[ESCAPE_TAG] as Record<string, unknown>);
  }
  return untagFields(record);
}

/** In place: JSON.parse made these objects, nobody else holds them. */
function untagFields(record: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(record)) {
    const item = record[key];
    const untagged = untag(item);
    if (untagged !== item) setOwn(record, key, untagged);
  }
  return record;
}

// Plain assignment to "__proto__" would replace the prototype instead of setting the key JSON had.
function setOwn(target: object, key: string, value: unknown): void {
  if (key === "__proto__")
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else (target as Record<string, unknown>)[key] = value;
}
