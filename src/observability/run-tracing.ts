import { context, SpanStatusCode, trace, type Span, type Tracer } from "@opentelemetry/api";
import type { SerializedError } from "../engine/errors.ts";
import type { RunEvent } from "../engine/journal/run-events.ts";

/**
 * OpenTelemetry spans from the journal's durable events, through `@opentelemetry/api` only: a span per run, with a
 * child per step attempt and per compensation, each timed by its events' own timestamps and carrying the run id,
 * workflow, step, attempt and outcome. Without an SDK registered the API hands out no-op spans, at no cost.
 * A run taken over from another instance gets a span of its own here, marked `sagaql.resumed`.
 */
/** A run's span and its open children, by step index. */
interface RunSpans {
  span: Span;
  workflow: string;
  steps: Map<number, Span>;
  compensations: Map<number, Span>;
}

export class RunTracing {
  readonly #tracer: Tracer;
  readonly #runs = new Map<string, RunSpans>();

  constructor(tracer: Tracer = trace.getTracer("sagaql")) {
    this.#tracer = tracer;
  }

  observe(event: RunEvent): void {
    if (event.type === "run-started") {
      this.#startRun(event.runId, event.workflow, event.at, false);
      return;
    }
    const run = this.#run(event.runId, event.at);
    switch (event.type) {
      case "step-started":
        run.steps.get(event.index)?.end(event.at);
        run.steps.set(
          event.index,
          this.#child(run, event, `step ${event.step}`, { "sagaql.step": event.step, "sagaql.attempt": event.attempt }),
        );
        return;
      case "step-retrying":
        end(take(run.steps, event.index), event.at, "retried", event.error);
        return;
      case "step-completed":
        end(take(run.steps, event.index), event.at, "completed");
        return;
      case "step-failed":
        end(take(run.steps, event.index), event.at, "failed", event.error);
        return;
      case "compensation-started":
        run.compensations.get(event.index)?.end(event.at);
        run.compensations.set(
          event.index,
          this.#child(run, event, `compensate ${event.step}`, {
            "sagaql.step": event.step,
            "sagaql.attempt": event.attempt,
          }),
        );
        return;
      case "compensation-completed":
        end(
          take(run.compensations, event.index) ??
            this.#child(run, event, `compensate ${event.step}`, { "sagaql.step": event.step }),
          event.at,
          event.byRollback ? "rolled_back" : "completed",
        );
        return;
      case "compensation-failed":
        end(take(run.compensations, event.index), event.at, "failed", event.error);
        return;
      case "run-compensating":
        run.span.addEvent("compensating", { "sagaql.failed_step": event.failedStep ?? "" }, event.at);
        return;
      case "run-finished":
        this.#finishRun(run, event);
        return;
    }
  }

  #startRun(runId: string, workflow: string, at: Date, resumed: boolean): RunSpans {
    const span = this.#tracer.startSpan(`saga ${workflow}`, {
      startTime: at,
      attributes: { "sagaql.run_id": runId, "sagaql.workflow": workflow, "sagaql.resumed": resumed },
    });
    const run = { span, workflow, steps: new Map<number, Span>(), compensations: new Map<number, Span>() };
    this.#runs.set(runId, run);
    return run;
  }

  #run(runId: string, at: Date): RunSpans {
    return this.#runs.get(runId) ?? this.#startRun(runId, "unknown", at, true);
  }

  #child(
    run: RunSpans,
    event: Extract<RunEvent, { index: number }>,
    name: string,
    attributes: Record<string, string | number>,
  ): Span {
    const parent = trace.setSpan(context.active(), run.span);
    return this.#tracer.startSpan(
      name,
      {
        startTime: event.at,
        attributes: { "sagaql.run_id": event.runId, "sagaql.workflow": run.workflow, ...attributes },
      },
      parent,
    );
  }

  #finishRun(run: RunSpans, event: Extract<RunEvent, { type: "run-finished" }>): void {
    for (const span of [...run.steps.values(), ...run.compensations.values()]) span.end(event.at);
    end(run.span, event.at, event.status, event.status === "COMPLETED" ? undefined : event.error);
    this.#runs.delete(event.runId);
  }
}

function take(spans: Map<number, Span>, index: number): Span | undefined {
  const span = spans.get(index);
  spans.delete(index);
  return span;
}

function end(span: Span | undefined, at: Date, outcome: string, error?: SerializedError): void {
  if (!span) return;
  span.setAttribute("sagaql.outcome", outcome);
  if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  else span.setStatus({ code: SpanStatusCode.OK });
  span.end(at);
}
