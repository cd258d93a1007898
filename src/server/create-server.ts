import { useCSRFPrevention } from "@graphql-yoga/plugin-csrf-prevention";
import type { GraphQLSchema } from "graphql";
import { createYoga, type GraphiQLOptions, type Plugin, type YogaServerInstance } from "graphql-yoga";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { RequestContext } from "../entity/define-action.ts";
import { corsPolicy, type CorsSetting } from "./cors-policy.ts";
import { createLogger, type Logger } from "./create-logger.ts";
import { GracefulHttp } from "./graceful-http.ts";
import { useHealthEndpoint, type HealthCheck } from "./health-endpoint.ts";
import { OfflineGraphiQLPage, useOfflineGraphiQL } from "./offline-graphiql.ts";
import { useQueryLimits, type QueryLimits } from "./query-limits.ts";
import { useQuietSyntaxErrors } from "./quiet-syntax-errors.ts";
import { useSchemaDisclosure } from "./schema-disclosure.ts";
import { requestContextFactory } from "./request-context.ts";
import { logRequest, useOperationName } from "./request-log.ts";
import { requestIdFrom, runInRequestScope } from "./request-scope.ts";
import { yogaLogger } from "./yoga-logger.ts";

/** The header `useCSRFPrevention` asks for by default. */
const DEFAULT_CSRF_HEADER = "x-graphql-yoga-csrf";

export interface CreateServerOptions {
  schema: GraphQLSchema;
  /** Structured (JSON) logger for requests, masked errors and shutdown. @default createLogger(): pino to stdout at LOG_LEVEL or "info" */
  logger?: Logger;
  /** @default "/graphql" */
  graphqlEndpoint?: string;
  /**
   * GraphiQL for browsers at the GraphQL endpoint, fully offline (no CDN). `false` turns it off; an object
   * sets its options (title, defaultQuery, …). @default true, false when NODE_ENV=production
   */
  graphiql?: boolean | GraphiQLOptions;
  /** Whether `__schema` and `__type` may be queried. @default true, false when NODE_ENV=production */
  introspection?: boolean;
  /** Whether errors suggest names ("Did you mean …?"). @default true, false when NODE_ENV=production */
  fieldSuggestions?: boolean;
  /** Largest request body accepted, in bytes; a bigger one is refused with 413 before it is parsed. @default 1_000_000 */
  maxRequestBodySize?: number;
  /**
   * How long a client may take to send a whole request (headers and body), in ms; one still arriving then is
   * answered 408 and its connection closed, so slow senders cannot hold connections open. @default 30000
   */
  requestTimeoutMs?: number;
  /**
   * Requires one of these headers on requests a browser could send cross-site without a CORS preflight
   * (GET, and form/text POSTs). JSON POSTs are unaffected. `false` turns it off.
   * @default { requestHeaders: ["x-graphql-yoga-csrf"] }
   */
  csrfPrevention?: false | { requestHeaders: string[] };
  /** Dependency probes `GET /health` runs, by name (e.g. `database`). @default {} */
  healthChecks?: Record<string, HealthCheck>;
  /** A probe slower than this counts as failed. @default 2000 */
  healthCheckTimeoutMs?: number;
  /**
   * Adds what authorization rules need (e.g. the user behind the Authorization header) to the request context.
   * The context's `request` is the incoming Fetch `Request` (headers, url, method) plus these fields.
   * @default none: the bare request
   */
  requestContext?: (request: Request) => RequestContext | Promise<RequestContext>;
  /** Show unexpected errors' messages and stacks to clients (development only). They are always logged. @default false */
  exposeErrors?: boolean;
  /** How long `close()` lets requests in flight finish before cutting their connections, in ms. @default 30000 */
  shutdownGraceMs?: number;
  /**
   * How long a pause in new connections `close()` waits for before it stops accepting them (2 s at most), in ms,
   * so that requests clients already sent (still in the kernel's queues) are answered rather than reset. @default 100
   */
  shutdownSettleMs?: number;
  /** Released by `close()` after the last request finished, in order: services, run journal, database. @default [] */
  onClose?: Array<() => unknown>;
  /**
   * Cross-origin access, as yoga's `cors` (e.g. `{ origin: ["https://app.example"], credentials: true }`),
   * except that an origin not listed gets no CORS headers at all (`origin: "*"` allows any).
   * @default false: no CORS headers, so browsers allow same-origin pages only
   */
  cors?: CorsSetting;
  /**
   * Bounds on each request's document and response: tokens, depth, aliases, directives, cost (list sizes
   * multiplied out) and response bytes; refused ones get `extensions.code` `QUERY_TOO_COMPLEX` (or
   * `RESPONSE_TOO_LARGE`). Fields given here replace their defaults; `false` turns every limit off.
   * @default DEFAULT_QUERY_LIMITS: { maxTokens: 2000, maxDepth: 10, maxAliases: 30, maxDirectives: 50, maxCost: 50000, defaultListSize: 50, maxResponseBytes: 5000000 }
   */
  limits?: QueryLimits | false;
  /** More yoga/envelop plugins, run after the built-in ones. @default [] */
  plugins?: Plugin[];
}

export interface ListenOptions {
  /** 0 picks a free port. @default 4000 */
  port?: number;
  /** @default "127.0.0.1" */
  host?: string;
}

export interface ListeningAddress {
  host: string;
  port: number;
  /** e.g. `http://127.0.0.1:4000` (`localhost` when listening on every interface) */
  url: string;
  /** The GraphQL endpoint, where GraphiQL opens in a browser. */
  graphqlUrl: string;
}

export interface SagaqlServer {
  readonly yoga: YogaServerInstance<{ req: IncomingMessage; res: ServerResponse }, object>;
  readonly http: Server;
  readonly logger: Logger;
  listen(options?: ListenOptions): Promise<ListeningAddress>;
  /** Stops accepting, lets requests in flight finish, then runs `onClose`. Safe to call more than once. */
  close(): Promise<void>;
}

/** A GraphQL HTTP server over `schema`: graphql-yoga on Node's http module, with the operational parts a service needs. */
export function createServer(options: CreateServerOptions): SagaqlServer {
  const logger = options.logger ?? createLogger();
  const endpoint = options.graphqlEndpoint ?? "/graphql";
  const http = createHttpServer(timeouts(options.requestTimeoutMs ?? 30_000));
  const graceful = new GracefulHttp(http);
  const page = graphiqlPage(options.graphiql ?? !inProduction(), options.csrfPrevention);
  const yoga = createYogaServer(options, endpoint, logger, () => graceful.closing, page);
  http.on("request", (request: IncomingMessage, response: ServerResponse) => {
    graceful.track(request, response);
    const scope = { id: requestIdFrom(request.headers) };
    response.setHeader("x-request-id", scope.id);
    logRequest(logger, scope, request, response);
    runInRequestScope(scope, () => yoga(request, response));
  });
  let closed: Promise<void> | undefined;
  return {
    yoga,
    http,
    logger,
    listen: async (listenOptions) => {
      const address = await listen(http, endpoint, logger, listenOptions);
      // Once the server is up, not during its start, which the page's CPU time would slow.
      void page?.prepare();
      return address;
    },
    close: () => (closed ??= shutDown(graceful, yoga, logger, options)),
  };
}

function createYogaServer(
  options: CreateServerOptions,
  endpoint: string,
  logger: Logger,
  isClosing: () => boolean,
  page: OfflineGraphiQLPage | undefined,
): SagaqlServer["yoga"] {
  return createYoga<{ req: IncomingMessage; res: ServerResponse }>({
    schema: options.schema,
    graphqlEndpoint: endpoint,
    logging: yogaLogger(logger),
    maskedErrors: { isDev: options.exposeErrors ?? false },
    maxRequestBodySize: options.maxRequestBodySize ?? 1_000_000,
    // Served by our own plugin, pre-rendered and pre-compressed; yoga's default page loads from a CDN.
    graphiql: false,
    landingPage: false,
    // Yoga's built-in check answers 200 without probing anything: keep it as liveness, `/health` probes dependencies.
    healthCheckEndpoint: "/live",
    cors: corsPolicy(options.cors),
    context: requestContextFactory(options.requestContext),
    plugins: [
      useHealthEndpoint({ checks: options.healthChecks, timeoutMs: options.healthCheckTimeoutMs, isClosing }),
      page ? useOfflineGraphiQL(page, endpoint) : {},
      options.csrfPrevention === false ? {} : useCSRFPrevention(options.csrfPrevention),
      useOperationName(),
      useQuietSyntaxErrors(),
      useSchemaDisclosure({
        introspection: options.introspection ?? !inProduction(),
        fieldSuggestions: options.fieldSuggestions ?? !inProduction(),
      }),
      ...useQueryLimits(options.limits),
      ...(options.plugins ?? []),
    ],
  });
}

function inProduction(): boolean {
  return process.env.NODE_ENV === "production";
}

/** Node checks these on a timer: it runs often enough that a short timeout is enforced near its time. */
function timeouts(requestTimeout: number) {
  return {
    requestTimeout,
    headersTimeout: Math.min(60_000, requestTimeout),
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(requestTimeout / 4))),
  };
}

function graphiqlPage(
  setting: boolean | GraphiQLOptions,
  csrf: CreateServerOptions["csrfPrevention"],
): OfflineGraphiQLPage | undefined {
  if (setting === false) return undefined;
  const options = setting === true ? {} : setting;
  // GraphiQL sends subscriptions as GET event streams, which CSRF prevention refuses without its header.
  const additionalHeaders = { ...csrfHeader(csrf), ...options.additionalHeaders };
  return new OfflineGraphiQLPage({ title: "sagaql GraphiQL", ...options, additionalHeaders });
}

function csrfHeader(csrf: CreateServerOptions["csrfPrevention"]): Record<string, string> {
  if (csrf === false) return {};
  const [name] = csrf?.requestHeaders ?? [DEFAULT_CSRF_HEADER];
  return name ? { [name]: "graphiql" } : {};
}

function listen(
  http: Server,
  endpoint: string,
  logger: Logger,
  options: ListenOptions = {},
): Promise<ListeningAddress> {
  const host = options.host ?? "127.0.0.1";
  return new Promise((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port ?? 4000, host, () => {
      http.off("error", reject);
      const { port } = http.address() as AddressInfo;
      const url = `http://${displayHost(host)}:${port}`;
      logger.info({ host, port }, "listening");
      resolve({ host, port, url, graphqlUrl: `${url}${endpoint}` });
    });
  });
}

/** A wildcard address accepts connections but cannot be browsed to: show the local name instead. */
function displayHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "localhost";
  return host.includes(":") ? `[${host}]` : host;
}

async function shutDown(
  graceful: GracefulHttp,
  yoga: SagaqlServer["yoga"],
  logger: Logger,
  options: CreateServerOptions,
): Promise<void> {
  const graceMs = options.shutdownGraceMs ?? 30_000;
  logger.info(
    { inFlight: graceful.inFlight, graceMs },
    "shutting down: answering what was received, then no new connections; waiting for requests in flight",
  );
  const { abandoned } = await graceful.drain(graceMs, options.shutdownSettleMs);
  if (abandoned > 0) logger.warn({ abandoned }, "grace period over: cut the connections of unfinished requests");
  await yoga.dispose();
  for (const release of options.onClose ?? []) {
    try {
      await release();
    } catch (error) {
      logger.error({ err: error }, "releasing a resource failed during shutdown");
    }
  }
  logger.info("shut down");
}
