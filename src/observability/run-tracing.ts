import { context, SpanStatusCode, trace, type Span, type Tracer } from "@opentelemetry/api";
import type { SerializedError } from "../saga/errors.ts";
import type { RunEvent } from "../saga/run-events.ts";

/**
 * OpenTelemetry spans from the journal's durable events, through `@opentelemetry/api` only: a span per run, with a
 * child per step attempt and per compensation, each timed by its events' own timestamps and carrying the run id,
 * workflow, step, attempt and outcome. Without an SDK registered the API hands out no-op spans, at no cost.
 * A run taken over from another instance gets a span of its own here, marked `sagaql.resumed`.
 */
export class RunTracing {
  readonly #tracer: Tracer;
  readonly #runs = new Map<string, { span: Span; workflow: string }>();
  /** Open attempt and compensation spans, by `runId:index`. */
  readonly #steps = new Map<string, Span>();
  readonly #compensations = new Map<string, Span>();

  constructor(tracer: Tracer = trace.getTracer("sagaql")) {
    this.#tracer = tracer;
  }

  observe(event: RunEvent): void {
    const key = "index" in event ? `${event.runId}:${event.index}` : "";
    switch (event.type) {
      case "run-started":
        this.#startRun(event.runId, event.workflow, event.at, false);
        return;
      case "step-started":
        this.#steps.get(key)?.end(event.at);
        this.#steps.set(key, this.#child(event, `step ${event.step}`, { "sagaql.step": event.step, "sagaql.attempt": event.attempt }));
        return;
      case "step-retrying":
        end(this.#take(this.#steps, key), event.at, "retried", event.error);
        return;
      case "step-completed":
        end(this.#take(this.#steps, key), event.at, "completed");
        return;
      case "step-failed":
        end(this.#take(this.#steps, key), event.at, "failed", event.error);
        return;
      case "compensation-started":
        this.#compensations.get(key)?.end(event.at);
        this.#compensations.set(key, this.#child(event, `compensate ${event.step}`, { "sagaql.step": event.step, "sagaql.attempt": event.attempt }));
        return;
      case "compensation-completed":
        end(this.#take(this.#compensations, key) ?? this.#child(event, `compensate ${event.step}`, { "sagaql.step": event.step }), event.at, event.byRollback ? "rolled_back" : "completed");
        return;
      case "compensation-failed":
        end(this.#take(this.#compensations, key), event.at, "failed", event.error);
        return;
      case "run-compensating":
        this.#run(event.runId, event.at).span.addEvent("compensating", { "sagaql.failed_step": event.failedStep ?? "" }, event.at);
        return;
      case "run-finished":
        this.#finishRun(event);
        return;
    }
  }

  #startRun(runId: string, workflow: string, at: Date, resumed: boolean): { span: Span; workflow: string } {
    const span = this.#tracer.startSpan(`saga ${workflow}`, { startTime: at, attributes: { "sagaql.run_id": runId, "sagaql.workflow": workflow, "sagaql.resumed": resumed } });
    const run = { span, workflow };
    this.#runs.set(runId, run);
    return run;
  }

  #run(runId: string, at: Date): { span: Span; workflow: string } {
    return this.#runs.get(runId) ?? this.#startRun(runId, "unknown", at, true);
  }

  #child(event: Extract<RunEvent, { index: number }>, name: string, attributes: Record<string, string | number>): Span {
    const run = this.#run(event.runId, event.at);
    const parent = trace.setSpan(context.active(), run.span);
    return this.#tracer.startSpan(name, { startTime: event.at, attributes: { "sagaql.run_id": event.runId, "sagaql.workflow": run.workflow, ...attributes } }, parent);
  }

  #take(spans: Map<string, Span>, key: string): Span | undefined {
    const span = spans.get(key);
    spans.delete(key);
    return span;
  }

  #finishRun(event: Extract<RunEvent, { type: "run-finished" }>): void {
    const run = this.#run(event.runId, event.at);
    for (const spans of [this.#steps, this.#compensations]) {
      for (const [key, span] of spans) {
        if (!key.startsWith(`${event.runId}:`)) continue;
        spans.delete(key);
        span.end(event.at);
      }
    }
    end(run.span, event.at, event.status, event.status === "COMPLETED" ? undefined : event.error);
    this.#runs.delete(event.runId);
  }
}

function end(span: Span | undefined, at: Date, outcome: string, error?: SerializedError): void {
  if (!span) return;
  span.setAttribute("sagaql.outcome", outcome);
  if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  else span.setStatus({ code: SpanStatusCode.OK });
  span.end(at);
}
