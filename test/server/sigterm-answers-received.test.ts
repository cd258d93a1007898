import { connect } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { applyMigrations } from "../../src/tooling/apply-migrations.ts";
import { CRASH_SERVER } from "../crash/crash-harness.ts";
import { freshDatabase, type FreshDatabase } from "../helpers/fresh-database.ts";
import { PROJECT_ROOT } from "../helpers/npm-start.ts";
import { spawnServerProcess, type SpawnedServer } from "../helpers/start-server-process.ts";

const REQUESTS = 30;
const spawned: SpawnedServer[] = [];
let database: FreshDatabase | undefined;

afterAll(async () => {
  await Promise.all(spawned.map((server) => server.kill()));
  await database?.remove();
});

/** One connection, one complete request; resolves with the status line, or with the socket error that ended it. */
function sendWhole(url: URL, body: string, written: () => void): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    let received = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (received += chunk));
    socket.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    socket.on("close", () => resolve(received.split("\r\n")[0] || "closed without an answer"));
    const request = `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
    socket.write(request, () => written());
  });
}

describe("SIGTERM", () => {
  it("answers every request whose bytes the server already received, then exits 0", async () => {
    database = await freshDatabase("sqlite");
    await applyMigrations({
      url: database.url,
      schemaPath: join(PROJECT_ROOT, "prisma/sqlite/schema.prisma"),
      cwd: PROJECT_ROOT,
    });
    const server = spawnServerProcess(CRASH_SERVER, { DATABASE_URL: database.url, DATA_DIR: database.dataDir });
    spawned.push(server);
    const ready = await server.ready();
    const url = new URL(ready.graphqlUrl);
    const body = JSON.stringify({ query: "{ products(take: 1) { id } }" });

    let writes = 0;
    let allWritten!: () => void;
    const sent = new Promise<void>((resolve) => (allWritten = resolve));
    const replies = Array.from({ length: REQUESTS }, () =>
      sendWhole(url, body, () => ++writes === REQUESTS && allWritten()),
    );
    await sent;
    ready.child.kill("SIGTERM");

    const statuses = await Promise.all(replies);
    expect(statuses).toEqual(statuses.map(() => "HTTP/1.1 200 OK"));
    expect(await ready.exited).toEqual({ code: 0, signal: null });
  }, 60_000);
});
