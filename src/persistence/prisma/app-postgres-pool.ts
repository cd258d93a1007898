import pg from "pg";

/** How long a checked-out connection that died may stay checked out before the pool takes it back. */
const EVICT_AFTER_MS = 1000;

/**
 * The app database's `pg` pool for Prisma's adapter, made to survive lost connections. When a transaction's
 * connection dies (a server restart, `pg_terminate_backend`), Prisma's adapter fails its ROLLBACK and never
 * hands the connection back: each such loss would shrink the pool by one until it is empty, and `end()` would
 * wait for them forever. Here a checked-out connection that ended is released (destroyed) after a short grace.
 */
export function createAppPostgresPool(connectionString: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString, max });
  const checkedOut = new Set<pg.PoolClient>();
  const watched = new WeakSet<pg.PoolClient>();
  pool.on("acquire", (client) => {
    checkedOut.add(client);
    if (watched.has(client)) return;
    watched.add(client);
    client.on("end", () => evictLater(client));
  });
  pool.on("release", (_error, client) => checkedOut.delete(client));
  const evictLater = (client: pg.PoolClient) => {
    const timer = setTimeout(() => {
      if (!checkedOut.delete(client)) return;
      client.release(new Error("the connection was lost while checked out"));
    }, EVICT_AFTER_MS);
    timer.unref();
  };
  // Errors of idle connections are expected when the server drops them; the pool replaces them on demand.
  pool.on("error", () => undefined);
  return pool;
}
