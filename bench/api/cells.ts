import type { Provider } from "./bench-database.ts";
import type { Contender } from "./contenders.ts";

/** One contender's figures in one cell (provider × concurrency), over all its rounds. */
export interface Cell {
  requests: number;
  seconds: number;
  latenciesMs: number[];
  /** CPU time of the process that did the work, over all rounds. */
  cpuMs: number;
  /** Each round's throughput, in round order. */
  roundRates: number[];
}

export type Cells = Map<string, Cell>;

export function cellKey(provider: Provider, concurrency: number, contender: Contender["key"]): string {
  return `${provider}@${concurrency}@${contender}`;
}

/** Adds one round's figures to its cell. */
export function addToCell(cells: Cells, key: string, round: Cell): void {
  const cell = cells.get(key) ?? { requests: 0, seconds: 0, latenciesMs: [], cpuMs: 0, roundRates: [] };
  cell.requests += round.requests;
  cell.seconds += round.seconds;
  cell.latenciesMs.push(...round.latenciesMs);
  cell.cpuMs += round.cpuMs;
  cell.roundRates.push(...round.roundRates);
  cells.set(key, cell);
}

/** The cell, which must have been measured. */
export function cellOf(cells: Cells, provider: Provider, concurrency: number, contender: Contender["key"]): Cell {
  const cell = cells.get(cellKey(provider, concurrency, contender));
  if (!cell) throw new Error(`benchmark bug: no figures for ${cellKey(provider, concurrency, contender)}`);
  return cell;
}
