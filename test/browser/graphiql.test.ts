import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerHeaders } from "../helpers/checkout-tokens.ts";
import { OrderCreateDocument, OrderDocument } from "../../examples/checkout/client/graphql.ts";
import { serveCheckout, type RunningCheckout } from "../helpers/serve-checkout.ts";
import { createLogger } from "../../src/server/create-logger.ts";
import { CapturedLogs } from "../helpers/captured-logs.ts";
import { freshDatabase, type FreshDatabase } from "../helpers/fresh-database.ts";
import { launchChromium, type Chromium } from "../helpers/launch-chromium.ts";
import { typedRequest } from "../helpers/typed-request.ts";

/** The editors are Monaco: its DOM pads with non-breaking spaces and splits text into spans per token. */
async function editorText(page: Page, selector: string): Promise<string> {
  const text = await page.locator(selector).first().textContent();
  return (text ?? "").replace(/\s+/g, " ");
}

describe("GraphiQL in a browser", () => {
  let database: FreshDatabase;
  let running: RunningCheckout;
  let chromium: Chromium;

  beforeAll(async () => {
    database = await freshDatabase("sqlite");
    const logger = createLogger({ level: "warn", destination: new CapturedLogs() });
    [running, chromium] = await Promise.all([
      serveCheckout({ databaseUrl: database.url, dataDir: database.dataDir, logger }),
      launchChromium(),
    ]);
  }, 60_000);
  afterAll(async () => {
    await chromium?.close();
    await running?.close();
    await database?.remove();
  });

  it("runs an orderCheckout typed into the editor and shows the completed order, loading nothing from other hosts", async () => {
    const url = running.address.graphqlUrl;
    const { orderCreate: order } = await typedRequest({ url, headers: customerHeaders() }, OrderCreateDocument, {
      data: { items: JSON.stringify([{ sku: "KB-001", quantity: 1 }]) },
    });

    const page = await chromium.context.newPage();
    const foreignRequests: string[] = [];
    page.on("request", (request) => {
      const target = request.url();
      if (!target.startsWith(running.address.url) && !target.startsWith("blob:") && !target.startsWith("data:"))
        foreignRequests.push(target);
    });
    await page.goto(url);
    const editor = page.locator(".graphiql-query-editor .monaco-editor").first();
    await editor.waitFor({ state: "visible", timeout: 30_000 });

    await editor.click();
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.press("Delete");
    // One line, inserted at once: typed key by key (or across newlines) Monaco would auto-close brackets and quotes.
    const mutation =
      `mutation Checkout { orderCheckout(id: "${order.id}", input: { paymentMethodId: "pm_card_visa" }) { ` +
      `__typename ... on OrderCheckoutSuccess { result order { status } } ... on WorkflowError { message code } } }`;
    await page.keyboard.insertText(mutation);
    expect((await editorText(page, ".graphiql-query-editor .view-lines")).trim()).toBe(mutation);
    // GraphiQL takes the typed text in (and puts it in the page URL) a moment later; a click before that runs the old query.
    await expect.poll(() => decodeURIComponent(page.url()), { timeout: 10_000 }).toContain(order.id);

    const answered = page.waitForResponse(
      (response) => response.url() === url && (response.request().postData() ?? "").includes("orderCheckout"),
    );
    await page.locator(".graphiql-execute-button").click();
    expect((await answered).status()).toBe(200);

    const response = page.locator(".graphiql-response .view-lines").first();
    await expect
      .poll(() => editorText(page, ".graphiql-response .view-lines"), { timeout: 15_000 })
      .toContain('"__typename": "OrderCheckoutSuccess"');
    const shown = (await response.textContent())!.replace(/\s+/g, " ");
    expect(shown).toContain('"success": true');
    expect(shown).toContain('"status": "completed"');

    expect(
      (await typedRequest({ url, headers: customerHeaders() }, OrderDocument, { id: order.id })).order?.status,
    ).toBe("completed");
    expect(foreignRequests).toEqual([]);
    await page.close();
  }, 60_000);
});
