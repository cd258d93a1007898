/** `npm start` again on a database it migrated before: the Prisma CLI is not started, the server answers. */
import { afterEach, describe, expect, it } from "vitest";
import { freshDatabase, type FreshDatabase, type Provider } from "../helpers/fresh-database.ts";
import { startNpm } from "../helpers/npm-start.ts";

/** Starts the server, waits until /health answers, stops it; returns what it logged about migrations. */
async function startOnce(database: FreshDatabase): Promise<{ migrated: Record<string, unknown>; ms: number }> {
  const started = performance.now();
  const app = startNpm({
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_URL: database.url,
    DATA_DIR: database.dataDir,
    LOG_LEVEL: "info",
  });
  try {
    const ready = await app.waitForLog((line) => line.msg === "checkout example ready", "the server to be ready");
    expect((await fetch(String(ready.url).replace("/graphql", "/health"))).status).toBe(200);
    const ms = performance.now() - started;
    const migrated = app.logs().find((line) => line.msg === "migrations applied");
    expect(migrated).toBeDefined();
    return { migrated: migrated!, ms };
  } finally {
    app.child.kill("SIGTERM");
    expect(await app.exited).toBe(0);
  }
}

describe.each<Provider>(["sqlite", "postgresql"])("npm start on an already migrated %s database", (provider) => {
  let database: FreshDatabase | undefined;
  afterEach(async () => {
    await database?.remove();
    database = undefined;
  });

  it("runs the Prisma CLI the first time only", async () => {
    database = await freshDatabase(provider);
    const first = await startOnce(database);
    expect(first.migrated).toMatchObject({ ranCli: true, output: "All migrations have been successfully applied." });
    const second = await startOnce(database);
    expect(second.migrated).toMatchObject({ ranCli: false, output: "No pending migrations to apply." });
    console.info(
      `npm start answered /health in ${Math.round(first.ms)} ms migrating, ${Math.round(second.ms)} ms with nothing pending (${provider})`,
    );
  }, 90_000);
});
