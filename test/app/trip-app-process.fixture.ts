/**
 * The trip app in a process of its own, for what only a process shows: whether closing the app leaves anything
 * open (the process must then end by itself, with no `process.exit`), and what a failed start prints.
 *
 * - `TRIP_MODE=close`: createApp, listen, book a trip over HTTP, close; prints "closed", then nothing keeps it alive.
 * - `TRIP_MODE=run`: `runApp` as `sagaql start` calls it (reads PORT, DATABASE_URL, … from the environment).
 * `TRIP_ROOT` is the project folder; `TRIP_GENERATED_DIR` overrides where the generated client is looked for.
 */
import { createApp } from "../../src/app/create-app.ts";
import { runApp } from "../../src/app/run-app.ts";
import { createLogger } from "../../src/server/create-logger.ts";
import { tripConfig } from "./trip-app.ts";

const root = process.env.TRIP_ROOT!;
const config = {
  ...tripConfig(root),
  logger: createLogger({ level: process.env.LOG_LEVEL === "info" ? "info" : "warn" }),
  banner: () => '  Try: mutation { tripCreate(data: { destination: "Lisbon" }) { id } }',
  ...(process.env.TRIP_GENERATED_DIR ? { generatedDir: process.env.TRIP_GENERATED_DIR } : {}),
};

if (process.env.TRIP_MODE === "run") {
  await runApp(config);
} else {
  const app = await createApp({ ...config, databaseUrl: process.env.DATABASE_URL });
  const { graphqlUrl } = await app.listen({ port: 0 });
  const created = await post(graphqlUrl, `mutation { tripCreate(data: { destination: "Lisbon" }) { id } }`);
  const id = (created.data as { tripCreate: { id: string } }).tripCreate.id;
  const booked = await post(graphqlUrl, `mutation { tripBook(id: "${id}", input: { seat: "1A" }) { __typename } }`);
  await app.close();
  process.stdout.write(`closed ${JSON.stringify(booked.data)}\n`);
}

async function post(url: string, query: string): Promise<{ data?: unknown }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as { data?: unknown };
}
