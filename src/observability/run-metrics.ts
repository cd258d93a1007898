import { Counter, Histogram, Registry } from "prom-client";
import type { RunEvent } from "../engine/journal/run-events.ts";

/** Step and journal durations in seconds: from a fast database step to a slow card. */
const STEP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const WRITE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/** Where a journal write came from: its own commit, a batch, or a database step's transaction. */
export type JournalWrite = "record" | "recordAll" | "through";

/**
 * The runs' Prometheus metrics, fed by the journal's events as they become durable (see `instrumentRunJournal`), so
 * they count what happened, not what was tried: runs started and ended, step attempts, retries and durations,
 * compensations and their failures, takeovers, and the journal's write latency. Labels are the workflow, the step
 * and the outcome only — never a run id — so the series stay few however many runs there are.
 */
export class RunMetrics {
  readonly registry: Registry;
  readonly #runsStarted: Counter<"workflow">;
  readonly #runsEnded: Counter<"workflow" | "status">;
  readonly #stepAttempts: Counter<"workflow" | "step">;
  readonly #stepRetries: Counter<"workflow" | "step">;
  readonly #stepDuration: Histogram<"workflow" | "step" | "outcome">;
  readonly #compensations: Counter<"workflow" | "step" | "outcome">;
  readonly #takeovers: Counter;
  readonly #journalWrites: Histogram<"kind">;
  /** While a run is going here: its workflow, and when each of its steps started, by index. */
  readonly #runs = new Map<string, { workflow: string; stepStarts: Map<number, number> }>();

  constructor(registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];
    this.#runsStarted = new Counter({
      name: "sagaql_runs_started_total",
      help: "Runs started, by workflow.",
      labelNames: ["workflow"],
      registers,
    });
    this.#runsEnded = new Counter({
      name: "sagaql_runs_ended_total",
      help: "Runs ended, by workflow and final status.",
      labelNames: ["workflow", "status"],
      registers,
    });
    this.#stepAttempts = new Counter({
      name: "sagaql_step_attempts_total",
      help: "Step attempts started.",
      labelNames: ["workflow", "step"],
      registers,
    });
    this.#stepRetries = new Counter({
      name: "sagaql_step_retries_total",
      help: "Step attempts that failed and were retried.",
      labelNames: ["workflow", "step"],
      registers,
    });
    this.#stepDuration = new Histogram({
      name: "sagaql_step_duration_seconds",
      help: "From a step's first attempt to its completion or failure.",
      labelNames: ["workflow", "step", "outcome"],
      buckets: STEP_BUCKETS,
      registers,
    });
    this.#compensations = new Counter({
      name: "sagaql_compensations_total",
      help: "Compensations that completed or failed.",
      labelNames: ["workflow", "step", "outcome"],
      registers,
    });
    this.#takeovers = new Counter({
      name: "sagaql_run_takeovers_total",
      help: "Runs this instance took over from another owner (recovery).",
      registers,
    });
    this.#journalWrites = new Histogram({
      name: "sagaql_journal_write_seconds",
      help: "Latency of journal writes.",
      labelNames: ["kind"],
      buckets: WRITE_BUCKETS,
      registers,
    });
  }

  /** A durable event of a run. */
  observe(event: RunEvent): void {
    const run = this.#runOf(event);
    const { workflow } = run;
    switch (event.type) {
      case "run-started":
        this.#runsStarted.inc({ workflow });
        return;
      case "step-started":
        this.#stepAttempts.inc({ workflow, step: event.step });
        if (!run.stepStarts.has(event.index)) run.stepStarts.set(event.index, event.at.getTime());
        return;
      case "step-retrying":
        this.#stepRetries.inc({ workflow, step: event.step });
        return;
      case "step-completed":
      case "step-failed":
        this.#stepEnded(
          run,
          event.index,
          event.step,
          event.type === "step-completed" ? "completed" : "failed",
          event.at,
        );
        return;
      case "compensation-completed":
        this.#compensations.inc({
          workflow,
          step: event.step,
          outcome: event.byRollback ? "rolled_back" : "completed",
        });
        return;
      case "compensation-failed":
        this.#compensations.inc({ workflow, step: event.step, outcome: "failed" });
        return;
      case "run-finished":
        this.#runsEnded.inc({ workflow, status: event.status });
        this.#runs.delete(event.runId);
        return;
      default:
        return;
    }
  }

  /** A run this instance knows the workflow of without having seen its start (a run it took over). */
  noteWorkflow(runId: string, workflow: string): void {
    const run = this.#runs.get(runId);
    if (run) run.workflow = workflow;
    else this.#runs.set(runId, { workflow, stepStarts: new Map() });
  }

  tookOver(runs: number): void {
    if (runs > 0) this.#takeovers.inc(runs);
  }

  journalWrite(kind: JournalWrite, seconds: number): void {
    this.#journalWrites.observe({ kind }, seconds);
  }

  /** A run first seen here by a later event (one taken over) is counted under "unknown" until its workflow is known. */
  #runOf(event: RunEvent): { workflow: string; stepStarts: Map<number, number> } {
    if (event.type === "run-started") this.noteWorkflow(event.runId, event.workflow);
    let run = this.#runs.get(event.runId);
    if (!run) this.#runs.set(event.runId, (run = { workflow: "unknown", stepStarts: new Map() }));
    return run;
  }

  #stepEnded(
    run: { workflow: string; stepStarts: Map<number, number> },
    index: number,
    step: string,
    outcome: string,
    at: Date,
  ): void {
    const start = run.stepStarts.get(index);
    run.stepStarts.delete(index);
    if (start !== undefined)
      this.#stepDuration.observe({ workflow: run.workflow, step, outcome }, Math.max(0, at.getTime() - start) / 1000);
  }
}
