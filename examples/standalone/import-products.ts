// A standalone workflow (no GraphQL): imports products in one transaction, and shows what a failure reports.
// Run it with `npx tsx examples/standalone/import-products.ts`; it uses a throwaway SQLite file.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PrismaClient } from "../../generated/checkout/sqlite/client/client.ts";
import {
  applyMigrations,
  createEntityStep,
  executeWorkflow,
  InMemoryRunJournal,
  openDatabase,
  workflow,
} from "../../src/index.ts";

interface ImportInput {
  rows: Array<{ name: string; sku: string; price: number; stock: number }>;
  failAt?: "notify";
}

const importProducts = workflow<ImportInput, { notified: boolean; firstId: string }>("import-products")
  .step("validate", (ctx) => {
    const bad = ctx.input.rows.filter((row) => !(row.price > 0));
    if (bad.length > 0) throw new Error(`${bad.length} rows have no price`);
    return { rows: ctx.input.rows.length };
  })
  .add(
    createEntityStep("insert-first", "product", (ctx) => ({ ...ctx.input.rows[0]! }), {
      storeAs: "firstId",
      compensate: true,
    }),
  )
  .step("notify", (ctx) => {
    if (ctx.input.failAt === "notify") throw new Error("notification service is down");
    ctx.set("notified", true);
    return { imported: ctx.input.rows.length, firstId: ctx.get("firstId") };
  })
  .transactional()
  .build();

const dir = mkdtempSync(join(tmpdir(), "sagaql-standalone-"));
const url = `file:${join(dir, "app.db")}`;
await applyMigrations({ url, schemaPath: "prisma/sqlite/schema.prisma" });
const database = await openDatabase(url, PrismaClient);
const store = new InMemoryRunJournal();
try {
  const rows = [{ name: "Desk lamp", sku: "DL-1", price: 25, stock: 4 }];
  const ok = await executeWorkflow(database.driver, importProducts, { input: { rows }, store });
  console.log("success:", ok.ok ? ok.result : ok);

  const failed = await executeWorkflow(database.driver, importProducts, {
    input: { rows: [{ ...rows[0]!, sku: "DL-2" }], failAt: "notify" },
    store,
  });
  if (!failed.ok) {
    const { error, code, failedStep, compensatedSteps, rolledBack } = failed;
    console.log("failure:", { error, code, failedStep, compensatedSteps, rolledBack });
  }
  console.log(
    "products now:",
    (await database.driver.findMany("product")).map((p) => p.sku),
  );
} finally {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
}
