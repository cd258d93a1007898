import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { request as httpRequest } from "node:http";
import { placeholderSchema } from "../helpers/placeholder-schema.ts";
import { startTestServer, type TestServer } from "../helpers/start-test-server.ts";

/** Raw GET, because fetch() would decompress the body and hide which encoding the server chose. */
function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      );
      response.on("error", reject);
    })
      .on("error", reject)
      .end();
  });
}

/** Everything in the page that would make a browser fetch from another host. */
function externalAssetReferences(html: string): string[] {
  const patterns = [
    /<(?:script|img|iframe|source|embed)\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?\/\/[^"'\s>]+/gi,
    /<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?\/\/[^"'\s>]+/gi,
    /url\(\s*["']?(?:https?:)?\/\/[^)"']+/gi,
    /@import\s+["'](?:https?:)?\/\/[^"']+/gi,
    /\bimport\(\s*["'`]https?:\/\/[^"'`]+/gi,
    /\bimportScripts\(\s*["'`]https?:\/\/[^"'`]+/gi,
    /\bnew\s+Worker\(\s*["'`]https?:\/\/[^"'`]+/gi,
  ];
  return patterns.flatMap((pattern) => html.match(pattern) ?? []);
}

describe("GraphiQL page", () => {
  let running: TestServer;
  beforeAll(async () => {
    running = await startTestServer({ schema: placeholderSchema() });
  });
  afterAll(() => running.server.close());

  it("is served to browsers, brotli-compressed, with no asset loaded from another host", async () => {
    const page = await rawGet(running.address.graphqlUrl, {
      accept: "text/html",
      "accept-encoding": "gzip, deflate, br",
    });
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.headers["content-encoding"]).toBe("br");
    expect(page.body.byteLength).toBeLessThan(2_500_000);
    const html = brotliDecompressSync(page.body).toString("utf8");
    expect(html.length).toBeGreaterThan(5_000_000);
    expect(html).toContain("YogaGraphiQL.renderYogaGraphiQL");
    expect(html).toContain("<title>sagaql GraphiQL</title>");
    expect(externalAssetReferences(html)).toEqual([]);
  });

  it("falls back to gzip, then to the uncompressed page, by Accept-Encoding", async () => {
    const gzipped = await rawGet(running.address.graphqlUrl, { accept: "text/html", "accept-encoding": "gzip" });
    expect(gzipped.headers["content-encoding"]).toBe("gzip");
    const plain = await rawGet(running.address.graphqlUrl, { accept: "text/html" });
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(gunzipSync(gzipped.body).equals(plain.body)).toBe(true);
  });

  it("answers a revalidation with 304 and no body", async () => {
    const first = await rawGet(running.address.graphqlUrl, { accept: "text/html", "accept-encoding": "br" });
    const again = await rawGet(running.address.graphqlUrl, {
      accept: "text/html",
      "if-none-match": String(first.headers.etag),
    });
    expect(again.status).toBe(304);
    expect(again.body.byteLength).toBe(0);
  });

  it("is not served when turned off", async () => {
    const off = await startTestServer({ schema: placeholderSchema(), graphiql: false });
    try {
      const response = await fetch(off.address.graphqlUrl, { headers: { accept: "text/html" } });
      expect(response.headers.get("content-type") ?? "").not.toContain("text/html");
    } finally {
      await off.server.close();
    }
  });
});
