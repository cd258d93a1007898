import { randomUUID } from "node:crypto";

/**
 * Ids for runs that leave no journal. They are UUID-shaped (version 4) and unique across processes — a
 * random prefix per process, then a counter — but not random: making a random UUID costs about as much as a
 * whole step here, and an id nobody can look up in a journal need not be unguessable. Journaled runs get a
 * random UUID, because `workflowRun(id)` serves anyone who knows it.
 */
export function localRunId(): string {
  if ((counter & 0xfff) === 0) nextBlock();
  // One concatenation per id: the first 33 characters change only once every 4096 ids.
  return block + HEX3[counter++ & 0xfff]!;
}

/** A random UUID: for runs that are journaled, whose ids must not be guessable. */
export function randomRunId(): string {
  return randomUUID();
}

/** 2^24 ids per prefix: six hex digits; a new random prefix after that costs one UUID per 16 million runs. */
const COUNTER_LIMIT = 0x1000000;
const HEX3: readonly string[] = Array.from({ length: 4096 }, (_, n) => n.toString(16).padStart(3, "0"));

let prefix = "";
let block = "";
let counter = COUNTER_LIMIT;

/** Moves on to the next 4096 ids, under a new random prefix after the last of them. */
function nextBlock(): void {
  if (counter === COUNTER_LIMIT) renewPrefix();
  block = prefix + HEX3[counter >>> 12]!;
}

function renewPrefix(): void {
  // "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxx": 98 random bits; the version and variant digits stay a v4 UUID's.
  prefix = randomUUID().slice(0, 30);
  counter = 0;
}
