import { afterEach, describe, expect, it } from "vitest";
import { fetchInNetworkOf, interfacesInNetworkOf } from "../helpers/fetch-in-network-of.ts";
import { freshDatabase, type FreshDatabase } from "../helpers/fresh-database.ts";
import { networkCut } from "../helpers/network-cut.ts";
import { startNpm } from "../helpers/npm-start.ts";

/**
 * Never skipped: a machine that cannot cut the network (no root and no unprivileged user namespaces, or no
 * `unshare`/`ip`/`nsenter`) fails this test with the reason, in CI and everywhere else, rather than passing it.
 */
describe("npm start with the network cut off", () => {
  const cut = networkCut();
  let database: FreshDatabase | undefined;
  afterEach(async () => {
    await database?.remove();
    database = undefined;
  });

  it("migrates, seeds, and serves GraphiQL, the runs console and the API with nothing but a loopback interface", async () => {
    if (cut.mode === "impossible")
      throw new Error(
        `This machine cannot cut the network for this test: ${cut.reason}${process.env.CI ? " (in CI)" : ""}`,
      );
    database = await freshDatabase("sqlite");
    const app = startNpm({ PORT: "0", DATABASE_URL: database.url, DATA_DIR: database.dataDir }, { offline: true });
    try {
      const ready = await app.waitForLog((line) => line.msg === "checkout example ready", "the server to be ready");
      const graphqlUrl = String(ready.url);
      const pid = app.child.pid!;
      expect(await interfacesInNetworkOf(pid)).toEqual(["lo"]);

      const page = await fetchInNetworkOf(pid, graphqlUrl, { headers: { accept: "text/html" } });
      expect(page.status).toBe(200);
      expect(page.text).toContain("YogaGraphiQL.renderYogaGraphiQL");
      const runsConsole = await fetchInNetworkOf(pid, String(ready.runsConsole));
      expect(runsConsole.status).toBe(200);
      expect(runsConsole.text).toContain("<title>sagaql · runs</title>");

      const products = await fetchInNetworkOf(pid, graphqlUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "{ products { sku } }" }),
      });
      expect(JSON.parse(products.text)).toMatchObject({
        data: { products: expect.arrayContaining([{ sku: "KB-001" }]) },
      });

      app.child.kill("SIGTERM");
      expect(await app.exited).toBe(0);
    } finally {
      if (app.child.exitCode === null) process.kill(-app.child.pid!, "SIGKILL");
    }
  }, 90_000);
});
