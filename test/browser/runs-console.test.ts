import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveCheckout, type RunningCheckout } from "../helpers/serve-checkout.ts";
import { createLogger } from "../../src/server/create-logger.ts";
import { CapturedLogs } from "../helpers/captured-logs.ts";
import { freshDatabase, type FreshDatabase, type Provider } from "../helpers/fresh-database.ts";
import { launchChromium, type Chromium } from "../helpers/launch-chromium.ts";
import { checkout, createOrder, runningRunOf } from "../graphql/run-subscription-fixture.ts";

/** Long enough for the page to open the run and see it in progress before the charge answers. */
const SLOW_CARD_MS = 5000;

const screenshots = mkdtempSync(join(tmpdir(), "sagaql-console-screenshots-"));
console.log(`runs console screenshots: ${screenshots}`);

/** Fails the test on anything the page loads from elsewhere and on errors it logs (a blocked inline script, too). */
function watchPage(page: Page, origin: string): { foreign: string[]; errors: string[] } {
  const seen = { foreign: [] as string[], errors: [] as string[] };
  page.on("request", (request) => {
    if (!request.url().startsWith(origin) && !request.url().startsWith("data:")) seen.foreign.push(request.url());
  });
  page.on("console", (message) => {
    if (message.type() === "error") seen.errors.push(message.text());
  });
  page.on("pageerror", (error) => seen.errors.push(error.message));
  return seen;
}

async function statusesListed(page: Page): Promise<string[]> {
  return page
    .locator("#runs tbody tr [data-status]")
    .evaluateAll((badges) => badges.map((badge) => badge.getAttribute("data-status") ?? ""));
}

function stepStatus(page: Page, step: string): Promise<string | null> {
  return page.locator(`#steps tr[data-step="${step}"]`).getAttribute("data-status");
}

describe.each<Provider>(["sqlite", "postgresql"])("the runs console in a browser (%s)", (provider) => {
  let database: FreshDatabase;
  let running: RunningCheckout;
  let chromium: Chromium;

  beforeAll(async () => {
    database = await freshDatabase(provider);
    const logger = createLogger({ level: "warn", destination: new CapturedLogs() });
    [running, chromium] = await Promise.all([
      serveCheckout({
        databaseUrl: database.url,
        dataDir: database.dataDir,
        logger,
        slowCardMs: SLOW_CARD_MS,
        graphiql: false,
      }),
      launchChromium(),
    ]);
  }, 60_000);
  afterAll(async () => {
    await chromium?.close();
    await running?.close();
    await database?.remove();
  });

  it("lists runs of every status, follows a slow checkout live, and shows what a declined one undid", async () => {
    const url = running.address.graphqlUrl;
    const completed = await checkout(url, await createOrder(url, { sku: "CON-OK" }), "pm_card_visa");
    expect(completed.__typename).toBe("OrderCheckoutSuccess");
    const declined = await checkout(url, await createOrder(url, { sku: "CON-DECLINED" }), "pm_card_chargeDeclined");
    expect(declined.runId).toBeTruthy();
    const slowOrder = await createOrder(url, { sku: "CON-SLOW" });
    const slow = checkout(url, slowOrder, "pm_card_slow");
    const slowRunId = await runningRunOf(url, slowOrder);

    const page = await chromium.context.newPage();
    const seen = watchPage(page, running.address.url);
    await page.goto(`${running.address.url}/runs`);
    await page.locator("#runs").waitFor({ timeout: 10_000 });
    // Newest first: the slow run started last.
    expect(await statusesListed(page)).toEqual(["RUNNING", "COMPENSATED", "COMPLETED"]);
    expect(await page.locator("#runs tbody tr").first().getAttribute("data-run")).toBe(slowRunId);
    await page.screenshot({ path: join(screenshots, `${provider}-1-runs.png`), fullPage: true });

    // Opened from the list: the page follows the run through the subscription, redrawing without reloading.
    const stream = page.waitForResponse(
      (response) => response.url() === url && (response.request().postData() ?? "").includes("workflowRunUpdated"),
    );
    await page.locator(`#runs tr[data-run="${slowRunId}"] a`).click();
    expect((await stream).headers()["content-type"]).toContain("text/event-stream");
    await page.evaluate(() => ((globalThis as { stayed?: boolean }).stayed = true));
    await expect.poll(() => page.locator("#run").getAttribute("data-status")).toBe("RUNNING");
    expect(await page.locator("#live").getAttribute("data-live")).toBe("streaming");
    await expect.poll(() => stepStatus(page, "charge-payment")).toBe("RUNNING");
    expect(await stepStatus(page, "reserve-inventory")).toBe("COMPLETED");
    expect(await stepStatus(page, "finalize")).toBe("PENDING");
    await page.screenshot({ path: join(screenshots, `${provider}-2-run-live.png`), fullPage: true });
    await expect
      .poll(() => page.locator("#run").getAttribute("data-status"), { timeout: SLOW_CARD_MS + 10_000 })
      .toBe("COMPLETED");
    expect(await stepStatus(page, "finalize")).toBe("COMPLETED");
    await expect.poll(() => page.locator("#live").getAttribute("data-live")).toBe("ended");
    expect(await page.evaluate(() => (globalThis as { stayed?: boolean }).stayed)).toBe(true);
    expect((await slow).__typename).toBe("OrderCheckoutSuccess");
    await page.screenshot({ path: join(screenshots, `${provider}-3-run-completed.png`), fullPage: true });

    // Filtered by status through the form, then the declined checkout opened from the list.
    await page.locator("a", { hasText: "all runs" }).click();
    await page.locator("#filters input[name=workflow]").fill("order.refund");
    await page.locator("#filters button[type=submit]").click();
    await expect.poll(() => page.url()).toContain("workflow=order.refund");
    await page.locator("#runs-empty").waitFor();
    await page.locator("#filters input[name=workflow]").fill("order.checkout");
    await page.locator("#filters select[name=status]").selectOption("COMPENSATED");
    await page.locator("#filters button[type=submit]").click();
    await expect.poll(() => page.url()).toContain("status=COMPENSATED");
    await page.locator("#runs").waitFor();
    expect(await statusesListed(page)).toEqual(["COMPENSATED"]);
    await page.locator(`#runs tr[data-run="${declined.runId}"] a`).click();
    await page.locator("#run").waitFor();
    expect(await page.locator("#run").getAttribute("data-status")).toBe("COMPENSATED");
    expect(await stepStatus(page, "charge-payment")).toBe("FAILED");
    expect(await page.locator('#steps tr[data-step="charge-payment"] .error').textContent()).toContain("declined");
    expect(await stepStatus(page, "reserve-inventory")).toBe("COMPENSATED");
    expect(await stepStatus(page, "create-shipment")).toBe("SKIPPED");
    expect(await page.locator("#undone li").allTextContents()).toEqual(["reserve-inventory: undone"]);
    expect(await page.locator("#live").getAttribute("data-live")).toBe("off");
    await page.screenshot({ path: join(screenshots, `${provider}-4-run-compensated.png`), fullPage: true });

    // The same run by query string, as a link from elsewhere would open it.
    await page.goto(`${running.address.url}/runs?id=${declined.runId}`);
    await expect.poll(() => page.locator("#run").getAttribute("data-status")).toBe("COMPENSATED");
    expect(await page.locator("footer").textContent()).toContain("workflowRunCancel");

    expect(seen.foreign).toEqual([]);
    expect(seen.errors).toEqual([]);
    await page.close();
  }, 90_000);

  it("cancels a slow checkout from its page, then pages through the runs and bounds them by start time", async () => {
    const url = running.address.graphqlUrl;
    const slowOrder = await createOrder(url, { sku: "CON-CANCEL" });
    const slow = checkout(url, slowOrder, "pm_card_slow");
    const slowRunId = await runningRunOf(url, slowOrder);

    const page = await chromium.context.newPage();
    const seen = watchPage(page, running.address.url);
    await page.goto(`${running.address.url}/runs#${slowRunId}`);
    await expect.poll(() => stepStatus(page, "charge-payment")).toBe("RUNNING");
    expect(await page.locator("#run-retry").count()).toBe(0);
    await page.locator("#reason").fill("customer changed their mind");
    await page.locator("#run-cancel").click();
    await expect.poll(() => page.locator("#run").getAttribute("data-status"), { timeout: 15_000 }).toBe("CANCELLED");
    expect(await page.locator("#cancel-request").textContent()).toContain("customer changed their mind");
    expect(await stepStatus(page, "reserve-inventory")).toBe("COMPENSATED");
    expect(await page.locator("#run-actions").count()).toBe(0);
    await page.screenshot({ path: join(screenshots, `${provider}-5-run-cancelled.png`), fullPage: true });
    // The caller still waiting on the mutation hears that its run was cancelled.
    expect((await slow).__typename).toBe("WorkflowCancelledError");

    // Every run so far, one per page: newest first, and the pager walks back and forth.
    await page.goto(`${running.address.url}/runs?take=100`);
    await page.locator("#runs").waitFor();
    const all = await page
      .locator("#runs tbody tr")
      .evaluateAll((rows) => rows.map((row) => row.getAttribute("data-run") ?? ""));
    expect(all[0]).toBe(slowRunId);
    expect(all.length).toBeGreaterThan(1);
    await page.goto(`${running.address.url}/runs?take=1`);
    await page.locator("#runs").waitFor();
    expect(await page.locator("#runs tbody tr").first().getAttribute("data-run")).toBe(all[0]);
    expect(await page.locator("#newer").count()).toBe(0);
    await page.locator("#older").click();
    await expect.poll(() => page.locator("#runs tbody tr").first().getAttribute("data-run")).toBe(all[1]);
    await page.locator("#newer").click();
    await expect.poll(() => page.locator("#runs tbody tr").first().getAttribute("data-run")).toBe(all[0]);

    // Bounded by start time through the form: from a second after the last run started, nothing.
    const later = new Date(Date.now() + 60_000);
    const local = new Date(later.getTime() - later.getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
    await page.goto(`${running.address.url}/runs`);
    await page.locator("#filters input[name=from]").fill(local);
    await page.locator("#filters button[type=submit]").click();
    await expect.poll(() => page.url()).toContain("from=");
    await page.locator("#runs-empty").waitFor();
    await page.locator("#filters input[name=from]").fill("");
    await page.locator("#filters input[name=to]").fill(local);
    await page.locator("#filters button[type=submit]").click();
    await page.locator("#runs").waitFor();
    expect(await page.locator("#runs tbody tr").count()).toBe(all.length);

    expect(seen.foreign).toEqual([]);
    expect(seen.errors).toEqual([]);
    await page.close();
  }, 90_000);

  it("lists a FAILED run under its status, shows the refund that could not be undone, and retries it in vain", async () => {
    const url = running.address.graphqlUrl;
    // Charged, then refused by the carrier: the refund the compensation asks for fails on every attempt.
    const failed = await checkout(
      url,
      await createOrder(url, { sku: "CON-FAILED", country: "XX" }),
      "pm_card_refundFail",
    );
    expect(failed.__typename).toBe("CompensationFailedError");
    const payment = running.app.services.paymentService;
    const charge = payment.charges().find((c) => c.idempotencyKey === `${failed.runId}:charge-payment`)!;
    expect(payment.failedRefunds(charge.id)).toBe(3);

    const page = await chromium.context.newPage();
    const seen = watchPage(page, running.address.url);
    await page.goto(`${running.address.url}/runs`);
    await page.locator("#runs").waitFor();
    expect(await page.locator(`#runs tr[data-run="${failed.runId}"] [data-status]`).getAttribute("data-status")).toBe(
      "FAILED",
    );
    await page.locator("#filters select[name=status]").selectOption("FAILED");
    await page.locator("#filters button[type=submit]").click();
    await expect.poll(() => page.url()).toContain("status=FAILED");
    await expect.poll(() => statusesListed(page)).toEqual(["FAILED"]);
    expect(await page.locator("#runs tbody tr").first().getAttribute("data-run")).toBe(failed.runId);
    expect(await page.locator("#runs tbody tr td").nth(4).textContent()).toBe("create-shipmentSHIPPING_UNAVAILABLE");
    await page.screenshot({ path: join(screenshots, `${provider}-6-runs-failed.png`), fullPage: true });

    await page.locator(`#runs tr[data-run="${failed.runId}"] a`).click();
    await page.locator("#run").waitFor();
    expect(await page.locator("#run").getAttribute("data-status")).toBe("FAILED");
    expect(await stepStatus(page, "create-shipment")).toBe("FAILED");
    expect(await page.locator('#steps tr[data-step="create-shipment"] .error').textContent()).toContain(
      'not available to destination "XX"',
    );
    expect(await stepStatus(page, "charge-payment")).toBe("COMPENSATION_FAILED");
    expect(await stepStatus(page, "reserve-inventory")).toBe("COMPENSATED");
    expect(await stepStatus(page, "finalize")).toBe("SKIPPED");
    const refundError = `undo failed after 3 attempts: REFUND_FAILED: Refund failed: the card of charge ${charge.id} cannot receive refunds`;
    expect(await page.locator('#steps tr[data-step="charge-payment"] .compensation-error').textContent()).toBe(
      refundError,
    );
    expect(await page.locator("#undone li").allTextContents()).toEqual([
      `charge-payment: ${refundError}`,
      "reserve-inventory: undone",
    ]);
    expect(await page.locator("#run-cancel").count()).toBe(0);
    expect(await page.locator("#run-resume").count()).toBe(0);
    await page.screenshot({ path: join(screenshots, `${provider}-7-run-failed.png`), fullPage: true });

    // The refund still cannot be made: the retry runs it three times afresh and the run is FAILED again.
    const sent = (operation: string) =>
      page.waitForResponse(
        (response) => response.url() === url && (response.request().postData() ?? "").includes(operation),
      );
    const [retried, redrawn] = [sent("workflowRunRetry"), sent("query Run(")];
    await page.locator("#reason").fill("card issuer asked us to try again");
    await page.locator("#run-retry").click();
    const answer = (await (await retried).json()) as {
      data?: { workflowRunRetry: { status: string } };
      errors?: unknown;
    };
    expect(answer.errors).toBeUndefined();
    // The run as it stands when the mutation answers: still retrying the refund, or already failed again.
    expect(["COMPENSATING", "FAILED"]).toContain(answer.data!.workflowRunRetry.status);
    await redrawn;
    await expect.poll(() => payment.failedRefunds(charge.id), { timeout: 15_000 }).toBe(6);
    await expect.poll(() => page.locator("#run").getAttribute("data-status"), { timeout: 15_000 }).toBe("FAILED");
    await expect
      .poll(() => page.locator('#steps tr[data-step="charge-payment"] .compensation-error').textContent())
      .toBe(refundError);
    expect(await stepStatus(page, "reserve-inventory")).toBe("COMPENSATED");
    expect(await page.locator("#run-retry").isEnabled()).toBe(true);
    expect(await page.locator('[role="alert"]').count()).toBe(0);
    await page.screenshot({ path: join(screenshots, `${provider}-8-run-retried-failed.png`), fullPage: true });

    expect(seen.foreign).toEqual([]);
    expect(seen.errors).toEqual([]);
    await page.close();
  }, 90_000);
});
