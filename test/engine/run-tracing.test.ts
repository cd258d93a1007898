import { SpanStatusCode } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runWorkflow, SqliteRunJournal, step } from "../../src/index.ts";
import { instrumentRunJournal } from "../../src/observability/instrument-run-journal.ts";
import { RunMetrics } from "../../src/observability/run-metrics.ts";
import { RunTracing } from "../../src/observability/run-tracing.ts";
import { silentLogger } from "../../src/engine/logger.ts";
import { createSqliteTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { temporaryDirectory } from "../persistence/run-journal-databases.ts";

describe("RunTracing", () => {
  let db: TestDatabase;
  const dir = temporaryDirectory("tracing");
  beforeAll(async () => {
    db = await createSqliteTestDatabase();
  });
  afterAll(() => db?.close());

  test("a span per run with a child per step attempt and per compensation, with the run's ids and outcomes", async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const journal = new SqliteRunJournal({ filename: join(dir, "journal.db") });
    const store = instrumentRunJournal(journal, new RunMetrics(), new RunTracing(provider.getTracer("test")));
    let charges = 0;
    const outcome = await runWorkflow(
      db.driver,
      "trip.book",
      [
        step(
          "reserve",
          () => "res_1",
          () => undefined,
        ),
        step(
          "charge",
          () => {
            if (++charges === 1) throw new Error("card network blip");
            return "ch_1";
          },
          () => undefined,
          { retry: { maxAttempts: 2, delay: 1 } },
        ),
        step("ship", () => {
          throw new Error("no carrier");
        }),
      ],
      { store, logger: silentLogger },
    );
    journal.close();

    expect(outcome).toMatchObject({ ok: false, status: "COMPENSATED" });
    const spans = exporter.getFinishedSpans();
    const run = spans.find((span) => span.name === "saga trip.book")!;
    expect(run.attributes).toMatchObject({
      "sagaql.run_id": outcome.runId,
      "sagaql.workflow": "trip.book",
      "sagaql.outcome": "COMPENSATED",
    });
    expect(run.status.code).toBe(SpanStatusCode.ERROR);
    const children = spans.filter((span) => span.parentSpanContext?.spanId === run.spanContext().spanId);
    expect(
      children.map((span) => [span.name, span.attributes["sagaql.attempt"], span.attributes["sagaql.outcome"]]),
    ).toEqual([
      ["step reserve", 1, "completed"],
      ["step charge", 1, "retried"],
      ["step charge", 2, "completed"],
      ["step ship", 1, "failed"],
      ["compensate charge", 1, "completed"],
      ["compensate reserve", 1, "completed"],
    ]);
    for (const child of children) {
      expect(child.spanContext().traceId).toBe(run.spanContext().traceId);
      expect(child.attributes["sagaql.run_id"]).toBe(outcome.runId);
    }
  });
});
