import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import { shouldRenderGraphiQL, type GraphiQLOptions, type Plugin } from "graphql-yoga";

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

interface CompressedPage {
  etag: string;
  identity: Uint8Array<ArrayBuffer>;
  gzip: Uint8Array<ArrayBuffer>;
  br: Uint8Array<ArrayBuffer>;
}

/**
 * Renders the self-contained GraphiQL page (its JS, CSS and editor workers inlined: nothing is fetched from a CDN,
 * so it works offline) once, and compresses it once. The page is ~9 MB; brotli takes it to ~2 MB. Compressing per
 * request would cost ~0.5 s of CPU each time, so the variants are built in the background by `prepare()`. Nothing
 * is done before that: loading the 9 MB renderer and compressing its page take about a second of CPU, which would
 * slow a server's start on a small machine if they ran alongside it.
 */
export class OfflineGraphiQLPage {
  readonly #options: GraphiQLOptions;
  #page: Promise<CompressedPage> | undefined;

  constructor(options: GraphiQLOptions) {
    this.#options = options;
  }

  /** Starts building the page, once; a request that comes first waits for it. */
  prepare(): Promise<CompressedPage> {
    if (this.#page) return this.#page;
    this.#page = import("@graphql-yoga/render-graphiql").then(({ renderGraphiQL }) =>
      compressPage(renderGraphiQL(this.#options)),
    );
    // Surfaced on the first request instead; avoid an unhandled rejection before then.
    this.#page.catch(() => {});
    return this.#page;
  }

  async respond(request: Request, fetchAPI: { Response: typeof Response }): Promise<Response> {
    const page = await this.prepare();
    const headers: Record<string, string> = {
      "content-type": "text/html; charset=utf-8",
      etag: page.etag,
      vary: "accept-encoding",
      "cache-control": "no-cache",
    };
    if (request.headers.get("if-none-match") === page.etag)
      return new fetchAPI.Response(null, { status: 304, headers });
    const encoding = preferredEncoding(request.headers.get("accept-encoding"));
    const body = encoding === "identity" ? page.identity : page[encoding];
    if (encoding !== "identity") headers["content-encoding"] = encoding;
    headers["content-length"] = String(body.byteLength);
    return new fetchAPI.Response(body, { status: 200, headers });
  }
}

async function compressPage(html: string): Promise<CompressedPage> {
  const identity = Buffer.from(html);
  const [gz, br] = await Promise.all([
    gzipAsync(identity, { level: 9 }),
    // Quality 5 is within 5% of quality 9's size at a third of its time (measured: ~0.7 s vs ~2.2 s).
    brotliAsync(identity, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: identity.byteLength },
    }),
  ]);
  const etag = `"${createHash("sha256").update(identity).digest("base64url").slice(0, 27)}"`;
  return { etag, identity: new Uint8Array(identity), gzip: new Uint8Array(gz), br: new Uint8Array(br) };
}

function preferredEncoding(acceptEncoding: string | null): "br" | "gzip" | "identity" {
  const accepted = new Set(
    (acceptEncoding ?? "")
      .split(",")
      .map((part) => part.trim().split(";"))
      .filter(([, q]) => q?.trim() !== "q=0")
      .map(([name]) => name?.trim().toLowerCase()),
  );
  if (accepted.has("br")) return "br";
  if (accepted.has("gzip")) return "gzip";
  return "identity";
}

/** Serves the page at the GraphQL endpoint to browsers (GET with `Accept: text/html`), as yoga's own GraphiQL does. */
export function useOfflineGraphiQL(page: OfflineGraphiQLPage, endpoint: string): Plugin {
  return {
    onRequest({ request, url, fetchAPI, endResponse }) {
      if (!shouldRenderGraphiQL(request)) return;
      if (url.pathname !== endpoint && url.pathname !== `${endpoint}/`) return;
      return page.respond(request, fetchAPI).then(endResponse);
    },
  };
}
