/**
 * Ids of the runs this process is executing right now. Recovery skips them: a run whose heartbeat fell behind
 * (a blocked event loop) must not be resumed a second time by its own process.
 */
export const localRuns = new Set<string>();
