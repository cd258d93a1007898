/**
 * Opening the PostgreSQL live-progress feed while the database drops connections (a restarting server, a
 * failover): the open waits it out instead of failing the app's start.
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { expect, onTestFinished, test } from "vitest";
import { PostgresRunEventFeed } from "../../src/persistence/postgres/postgres-run-event-feed.ts";
import { createPostgresTestDatabase } from "../helpers/test-database.ts";

/** A TCP front for PostgreSQL that resets the first `drop` connections, then passes the rest through. */
async function droppingProxy(
  target: URL,
  drop: number,
): Promise<{ url: string; dropped: () => number; close: () => Promise<void> }> {
  let dropped = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    if (dropped < drop) {
      dropped++;
      return void client.resetAndDestroy();
    }
    const upstream = createConnection({ host: target.hostname, port: Number(target.port || 5432) });
    sockets.add(upstream);
    client.pipe(upstream).pipe(client);
    const end = () => (client.destroy(), upstream.destroy());
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const url = new URL(target);
  url.host = `127.0.0.1:${port}`;
  return {
    url: url.toString(),
    dropped: () => dropped,
    close: () =>
      new Promise<void>((resolve) => (sockets.forEach((socket) => socket.destroy()), server.close(() => resolve()))),
  };
}

test("a feed whose first connections are reset still opens, and listens", async () => {
  const db = await createPostgresTestDatabase();
  const proxy = await droppingProxy(new URL(db.url), 3);
  onTestFinished(async () => {
    await proxy.close();
    await db.close();
  });

  const feed = await PostgresRunEventFeed.open({ connectionString: proxy.url });
  onTestFinished(() => feed.close());

  expect(proxy.dropped()).toBe(3);
  expect(feed.listening).toBe(true);
});
