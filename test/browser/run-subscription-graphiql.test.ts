import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveCheckout, type RunningCheckout } from "../helpers/serve-checkout.ts";
import { createLogger } from "../../src/server/create-logger.ts";
import { CapturedLogs } from "../helpers/captured-logs.ts";
import { freshDatabase, type FreshDatabase } from "../helpers/fresh-database.ts";
import { launchChromium, type Chromium } from "../helpers/launch-chromium.ts";
import { checkout, createOrder, runningRunOf } from "../graphql/run-subscription-fixture.ts";

async function editorText(page: Page, selector: string): Promise<string> {
  const text = await page.locator(selector).first().textContent();
  return (text ?? "").replace(/\s+/g, " ");
}

describe("workflowRunUpdated in GraphiQL", () => {
  let database: FreshDatabase;
  let running: RunningCheckout;
  let chromium: Chromium;

  beforeAll(async () => {
    database = await freshDatabase("sqlite");
    const logger = createLogger({ level: "warn", destination: new CapturedLogs() });
    [running, chromium] = await Promise.all([
      serveCheckout({ databaseUrl: database.url, dataDir: database.dataDir, logger, slowCardMs: 3000 }),
      launchChromium(),
    ]);
  }, 60_000);
  afterAll(async () => {
    await chromium?.close();
    await running?.close();
    await database?.remove();
  });

  // The offline GraphiQL sends subscriptions as GET event streams: this is what proves CSRF prevention lets them through.
  it("streams a running checkout's snapshots into the response pane until it is COMPLETED", async () => {
    const url = running.address.graphqlUrl;
    const page = await chromium.context.newPage();
    await page.goto(url);
    const editor = page.locator(".graphiql-query-editor .monaco-editor").first();
    await editor.waitFor({ state: "visible", timeout: 30_000 });

    const orderId = await createOrder(url, { sku: "LIVE-1" });
    const outcome = checkout(url, orderId, "pm_card_slow");
    const runId = await runningRunOf(url, orderId);
    await editor.click();
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.press("Delete");
    await page.keyboard.insertText(
      `subscription Live { workflowRunUpdated(id: "${runId}") { id status steps { name status } } }`,
    );
    // GraphiQL takes the editor's text after a debounce (and mirrors it into the URL): executing earlier runs nothing.
    await expect.poll(() => decodeURIComponent(page.url()), { timeout: 10_000 }).toContain(runId);
    const streamed = page.waitForResponse((response) => response.url().includes("workflowRunUpdated"), {
      timeout: 10_000,
    });
    await page.locator(".graphiql-execute-button").click();
    const response = await streamed;
    expect(response.status()).toBe(200);
    expect(response.headers()["content-type"]).toContain("text/event-stream");

    // GraphiQL shows the latest payload: first the run in progress, last the finished one.
    await expect
      .poll(() => editorText(page, ".graphiql-response .view-lines"), { timeout: 15_000 })
      .toContain('"status": "RUNNING"');
    await expect
      .poll(() => editorText(page, ".graphiql-response .view-lines"), { timeout: 15_000 })
      .toContain('"status": "COMPLETED"');
    expect((await outcome).__typename).toBe("OrderCheckoutSuccess");
    await page.close();
  }, 60_000);
});
