import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Plugin } from "graphql-yoga";

export interface RunsConsoleOptions {
  /** Where the page is served. @default "/runs" */
  path?: string;
  /** The GraphQL endpoint the page queries and subscribes through. @default "/graphql" */
  graphqlEndpoint?: string;
  /**
   * A header the page adds to its requests, for servers whose CSRF prevention asks for one on every request;
   * `false` sends none. @default "x-graphql-yoga-csrf"
   */
  csrfHeader?: string | false;
  /**
   * A bearer token the page's token field starts with (a development admin's, say); the caller can paste another,
   * which the page keeps in sessionStorage for the tab and sends as `Authorization`. Never set it in production:
   * the page would hand the token to whoever opens it. @default none: the field starts empty
   */
  defaultToken?: string;
}

interface RenderedPage {
  html: string;
  etag: string;
  securityPolicy: string;
}

const TEMPLATE = readFileSync(new URL("./runs-console.html", import.meta.url), "utf8");

/**
 * The runs console: one HTML page, its CSS and JavaScript inline, that lists runs and follows one live through the
 * GraphQL endpoint. Nothing is loaded from anywhere else, which its content security policy enforces.
 */
export function useRunsConsole(options: RunsConsoleOptions = {}): Plugin {
  const path = options.path ?? "/runs";
  const page = renderPage({
    endpoint: options.graphqlEndpoint ?? "/graphql",
    csrfHeader: options.csrfHeader ?? "x-graphql-yoga-csrf",
    ...(options.defaultToken ? { defaultToken: options.defaultToken } : {}),
  });
  return {
    onRequest({ request, url, fetchAPI, endResponse }) {
      if (url.pathname !== path && url.pathname !== `${path}/`) return;
      if (request.method !== "GET" && request.method !== "HEAD") {
        return endResponse(
          new fetchAPI.Response("Method Not Allowed", { status: 405, headers: { allow: "GET, HEAD" } }),
        );
      }
      endResponse(respond(page, request, fetchAPI));
    },
  };
}

function respond(page: RenderedPage, request: Request, fetchAPI: { Response: typeof Response }): Response {
  const headers = {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": page.securityPolicy,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    etag: page.etag,
    "cache-control": "no-cache",
  };
  if (request.headers.get("if-none-match") === page.etag) return new fetchAPI.Response(null, { status: 304, headers });
  return new fetchAPI.Response(request.method === "HEAD" ? null : page.html, { status: 200, headers });
}

function renderPage(config: { endpoint: string; csrfHeader: string | false; defaultToken?: string }): RenderedPage {
  // `<` escaped so that no value can close the script element that carries the configuration.
  const html = TEMPLATE.replace("__CONSOLE_CONFIG__", JSON.stringify(config).replaceAll("<", "\\u003c"));
  const etag = `"${sha256(html).slice(0, 27)}"`;
  return { html, etag, securityPolicy: securityPolicy(html) };
}

/**
 * Only the page's own inline script and style (by hash) may run, and it may only talk to its own origin: a
 * page that tried to reach a CDN would fail in every browser, not just on a machine without a network.
 */
function securityPolicy(html: string): string {
  const scripts = inlineBodies(html, "script").map((body) => `'sha256-${sha256(body)}'`);
  const styles = inlineBodies(html, "style").map((body) => `'sha256-${sha256(body)}'`);
  return [
    "default-src 'none'",
    `script-src ${scripts.join(" ")}`,
    `style-src ${styles.join(" ")}`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** The text of each `<tag>` element that has no attributes (the JSON configuration block has some, and never runs). */
function inlineBodies(html: string, tag: string): string[] {
  return [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, "g"))].map((match) => match[1] ?? "");
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("base64");
}
