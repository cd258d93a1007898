import type { Plugin } from "graphql-yoga";

/** A named dependency probe: resolves when the dependency answers, throws when it does not. */
export type HealthCheck = () => Promise<unknown>;

export interface HealthEndpointOptions {
  /** @default "/health" */
  endpoint?: string;
  /** Probes run on every hit, in parallel (e.g. `{ database: () => prisma.$queryRaw\`SELECT 1\` }`). @default {} */
  checks?: Record<string, HealthCheck>;
  /** A probe slower than this counts as failed, so a hung database cannot hang the health check. @default 2000 */
  timeoutMs?: number;
  /** True once shutdown began: the endpoint then answers 503 so a load balancer stops sending traffic. */
  isClosing?: () => boolean;
}

export interface HealthReport {
  status: "ok" | "unavailable" | "closing";
  checks: Record<string, { ok: boolean; ms: number; error?: string }>;
}

/** `GET /health`: 200 with `{ status: "ok" }` when every probe passed, otherwise 503 naming the failed ones. */
export function useHealthEndpoint(options: HealthEndpointOptions = {}): Plugin {
  const endpoint = options.endpoint ?? "/health";
  return {
    onRequest({ url, fetchAPI, endResponse }) {
      if (url.pathname !== endpoint) return;
      return runChecks(options).then((report) => {
        const status = report.status === "ok" ? 200 : 503;
        endResponse(fetchAPI.Response.json(report, { status, headers: { "cache-control": "no-store" } }));
      });
    },
  };
}

async function runChecks(options: HealthEndpointOptions): Promise<HealthReport> {
  if (options.isClosing?.()) return { status: "closing", checks: {} };
  const entries = await Promise.all(
    Object.entries(options.checks ?? {}).map(
      async ([name, check]) => [name, await probe(check, options.timeoutMs ?? 2000)] as const,
    ),
  );
  const checks = Object.fromEntries(entries);
  return { status: entries.every(([, result]) => result.ok) ? "ok" : "unavailable", checks };
}

async function probe(check: HealthCheck, timeoutMs: number): Promise<HealthReport["checks"][string]> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([check(), timeout]);
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      ok: false,
      ms: Math.round(performance.now() - started),
      error: error instanceof Error ? error.message : String(error),
    };
  } finally {
    clearTimeout(timer);
  }
}
