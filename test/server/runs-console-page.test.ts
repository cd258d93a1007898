import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useRunsConsole } from "../../src/server/runs-console.ts";
import { placeholderSchema } from "../helpers/placeholder-schema.ts";
import { startTestServer, type TestServer } from "../helpers/start-test-server.ts";

function hashOf(text: string): string {
  return `'sha256-${createHash("sha256").update(text).digest("base64")}'`;
}

describe("the runs console page over HTTP", () => {
  let test: TestServer;

  beforeAll(async () => {
    test = await startTestServer({
      schema: placeholderSchema(),
      graphqlEndpoint: "/api",
      plugins: [useRunsConsole({ csrfHeader: "x-console-check", graphqlEndpoint: "/api" })],
    });
  });
  afterAll(() => test?.server.close());

  it("serves one page whose policy admits only its own inline script and style and its own origin", async () => {
    const response = await fetch(`${test.address.url}/runs`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await response.text();
    const policy = response.headers.get("content-security-policy") ?? "";
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? "";
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? "";
    expect(policy).toContain(`script-src ${hashOf(script)};`);
    expect(policy).toContain(`style-src ${hashOf(style)};`);
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("connect-src 'self'");
    // The page names where it queries and which header it sends, as configured.
    expect(html).toContain('{"endpoint":"/api","csrfHeader":"x-console-check"}');
    expect(html).not.toMatch(/(src|href)="https?:/);
    expect((await fetch(`${test.address.url}/runs/?id=x`)).status).toBe(200);
  });

  it("answers a revalidation with 304, HEAD without a body, and other methods with 405", async () => {
    const first = await fetch(`${test.address.url}/runs`);
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^".+"$/);
    expect((await fetch(`${test.address.url}/runs`, { headers: { "if-none-match": etag } })).status).toBe(304);
    const head = await fetch(`${test.address.url}/runs`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    const post = await fetch(`${test.address.url}/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });

  it("leaves other paths to the server", async () => {
    expect((await fetch(`${test.address.url}/runsx`)).status).toBe(404);
  });
});
