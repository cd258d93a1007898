import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { withLikeEscape } from "./sqlite-like-escape.ts";

type SqliteConnection = Awaited<ReturnType<PrismaBetterSqlite3["connect"]>>;
type SqliteTransaction = Awaited<ReturnType<SqliteConnection["startTransaction"]>>;

export interface SqliteConnectionOptions {
  /** How long a statement waits for another connection's write lock before failing, in ms. @default 10000 */
  busyTimeout?: number;
  /** `PRAGMA synchronous`: FULL makes a commit durable across power loss in WAL mode. @default "FULL" */
  synchronous?: "OFF" | "NORMAL" | "FULL" | "EXTRA";
}

/** A FIFO lock; `acquire` resolves with the function that releases it. */
class Lock {
  #tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const acquired = this.#tail.then(() => once(release));
    this.#tail = this.#tail.then(() => held);
    return acquired;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await work();
    } finally {
      release();
    }
  }
}

function once(fn: () => void): () => void {
  let called = false;
  return () => {
    if (!called) {
      called = true;
      fn();
    }
  };
}

/**
 * The better-sqlite3 adapter runs everything on one connection and, while an interactive transaction is
 * open, executes any other query on that same connection, that is, inside the transaction: a concurrent
 * request's write would silently commit or roll back with someone else's transaction. Here every write
 * outside a transaction waits until the open transaction ends (SQLite has one writer anyway, and
 * better-sqlite3 would wait for the lock synchronously, freezing the event loop the transaction needs).
 * Plain SELECTs go to a second, read-only connection instead: in WAL mode it reads the last committed state
 * without waiting, so reads never see uncommitted writes and are not held up by a long transaction.
 * Every connection gets WAL, the synchronous level and a busy timeout set explicitly, and every LIKE the
 * backslash as its escape character.
 */
export function serializedSqliteAdapter(url: string, options: SqliteConnectionOptions = {}) {
  const busyTimeout = options.busyTimeout ?? 10_000;
  const pragmas = `PRAGMA journal_mode = WAL; PRAGMA synchronous = ${options.synchronous ?? "FULL"}; PRAGMA busy_timeout = ${busyTimeout};`;
  const inner = new PrismaBetterSqlite3({ url, timeout: busyTimeout });
  // An in-memory database is private to its connection: a second one would be a different, empty database.
  const separateReader = !/^(file:)?:memory:/.test(url) && url !== "";
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    async connect(): Promise<SqliteConnection> {
      const writer = await inner.connect();
      await writer.executeScript(`${pragmas} PRAGMA foreign_keys = ON;`);
      if (!separateReader) return serialize(writer, undefined);
      const reader = await inner.connect();
      await reader.executeScript(`${pragmas} PRAGMA query_only = ON;`);
      return serialize(writer, reader);
    },
    connectToShadowDb: () => inner.connectToShadowDb(),
  };
}

const READ_ONLY = /^\s*SELECT\b/i;

function serialize(writer: SqliteConnection, reader: SqliteConnection | undefined): SqliteConnection {
  const lock = new Lock();
  const serialized: SqliteConnection = {
    provider: writer.provider,
    adapterName: writer.adapterName,
    queryRaw: (raw) => {
      const query = withLikeEscape(raw);
      return reader && READ_ONLY.test(query.sql) ? reader.queryRaw(query) : lock.run(() => writer.queryRaw(query));
    },
    executeRaw: (query) => lock.run(() => writer.executeRaw(withLikeEscape(query))),
    executeScript: (script) => lock.run(() => writer.executeScript(script)),
    async startTransaction(isolationLevel) {
      const release = await lock.acquire();
      try {
        return holdUntilClosed(await writer.startTransaction(isolationLevel), release);
      } catch (error) {
        release();
        throw error;
      }
    },
    dispose: () =>
      lock.run(async () => {
        await reader?.dispose();
        await writer.dispose();
      }),
  };
  if (writer.getConnectionInfo) serialized.getConnectionInfo = () => writer.getConnectionInfo!();
  return serialized;
}

/** Releases the lock when Prisma ends the transaction, including when its COMMIT fails. */
function holdUntilClosed(transaction: SqliteTransaction, release: () => void): SqliteTransaction {
  const close = async (end: () => Promise<void>) => {
    try {
      await end();
    } finally {
      release();
    }
  };
  const held: SqliteTransaction = {
    provider: transaction.provider,
    adapterName: transaction.adapterName,
    options: transaction.options,
    queryRaw: (query) => transaction.queryRaw(withLikeEscape(query)),
    async executeRaw(query) {
      try {
        return await transaction.executeRaw(withLikeEscape(query));
      } catch (error) {
        // Prisma does not call rollback() after a failed COMMIT; without this the connection stays locked.
        if (/^\s*COMMIT/i.test(query.sql)) {
          await transaction.executeRaw({ sql: "ROLLBACK", args: [], argTypes: [] }).catch(() => undefined);
          await close(() => transaction.rollback());
        }
        throw error;
      }
    },
    commit: () => close(() => transaction.commit()),
    rollback: () => close(() => transaction.rollback()),
  };
  if (transaction.createSavepoint) held.createSavepoint = (name) => transaction.createSavepoint!(name);
  if (transaction.rollbackToSavepoint) held.rollbackToSavepoint = (name) => transaction.rollbackToSavepoint!(name);
  if (transaction.releaseSavepoint) held.releaseSavepoint = (name) => transaction.releaseSavepoint!(name);
  return held;
}
