import type { GraphQLSchema } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { RunMetrics } from "../observability/run-metrics.ts";
import { useMetricsEndpoint } from "../observability/use-metrics-endpoint.ts";
import type { Logger } from "../server/create-logger.ts";
import { createServer, type SagaqlServer } from "../server/create-server.ts";
import type { HealthCheck } from "../server/health-endpoint.ts";
import { useRunsConsole } from "../server/runs-console.ts";
import type { SagaqlConfig, AppServerOptions } from "./define-config.ts";

export interface AppServerParts {
  config: Pick<SagaqlConfig, "server" | "requestContext">;
  schema: GraphQLSchema;
  logger: Logger;
  metrics: RunMetrics;
  healthChecks: Record<string, HealthCheck>;
  /** Runs after the last request finished: the app's own close order. */
  release: () => Promise<void>;
}

/** The app's HTTP server: GraphQL (with GraphiQL), `/health`, `/metrics` and the `/runs` console. */
export function createAppServer(parts: AppServerParts): SagaqlServer {
  const server = parts.config.server ?? {};
  const plugins: Plugin[] = [
    ...(server.metrics === false ? [] : useMetricsEndpoint(parts.metrics.registry)),
    ...(server.runsConsole === false
      ? []
      : [useRunsConsole(typeof server.runsConsole === "object" ? server.runsConsole : {})]),
    ...(server.options?.plugins ?? []),
  ];
  return createServer({
    ...server.options,
    schema: parts.schema,
    logger: parts.logger,
    graphiql: graphiqlSetting(server.graphiql),
    ...(server.cors !== undefined ? { cors: server.cors } : {}),
    ...(server.limits !== undefined ? { limits: server.limits } : {}),
    ...(parts.config.requestContext ? { requestContext: parts.config.requestContext } : {}),
    healthChecks: parts.healthChecks,
    plugins,
    onClose: [parts.release],
  });
}

/** Options given for GraphiQL say how it looks, not that production should serve it: only `true` forces it on. */
function graphiqlSetting(setting: AppServerOptions["graphiql"]): NonNullable<AppServerOptions["graphiql"]> {
  if (typeof setting === "boolean") return setting;
  if (process.env.NODE_ENV === "production") return false;
  return setting ?? true;
}
