import { usePrometheus } from "@graphql-yoga/plugin-prometheus";
import type { Plugin } from "graphql-yoga";
import { Counter, Histogram, type Registry } from "prom-client";

const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * `GET /metrics` in the Prometheus text format, from `registry` (the runs' metrics, see `RunMetrics`), plus the
 * server's own: graphql-yoga's GraphQL metrics (requests, errors, parse, validate and execute durations, by
 * operation) and HTTP requests by method, path and status. The path is the URL's pathname only — the query string
 * would make a series per request.
 */
export function useMetricsEndpoint(registry: Registry, path = "/metrics"): Plugin[] {
  const registers = [registry];
  const requests = new Counter({
    name: "sagaql_http_requests_total",
    help: "HTTP requests answered.",
    labelNames: ["method", "path", "status"],
    registers,
  });
  const durations = new Histogram({
    name: "sagaql_http_request_duration_seconds",
    help: "Time to answer an HTTP request.",
    labelNames: ["method", "path"],
    buckets: HTTP_BUCKETS,
    registers,
  });
  const started = new WeakMap<Request, number>();
  const http: Plugin = {
    onRequest({ request }) {
      started.set(request, performance.now());
    },
    onResponse({ request, response }) {
      const since = started.get(request);
      if (since === undefined) return;
      const labels = { method: request.method, path: new URL(request.url).pathname };
      requests.inc({ ...labels, status: String(response.status) });
      durations.observe(labels, (performance.now() - since) / 1000);
    },
  };
  // Its own HTTP histogram labels every full URL; ours above does not.
  return [http, usePrometheus({ registry, endpoint: path, metrics: { graphql_yoga_http_duration: false } })];
}
