import { PrismaPg } from "@prisma/adapter-pg";
import { createAppPostgresPool } from "./app-postgres-pool.ts";
import type { PrismaProvider } from "./prisma-provider.ts";
import { PrismaDriver, type PrismaClientLike, type PrismaDriverOptions } from "./prisma-driver.ts";
import { serializedSqliteAdapter, type SqliteConnectionOptions } from "./serialized-sqlite-adapter.ts";

/**
 * An app's generated `PrismaClient` class. Its constructor's options type differs per app, so it is taken
 * as given; `openDatabase` only ever passes `{ adapter, errorFormat }`.
 */
export type PrismaClientClass<Client> = new (options: never) => Client;

export interface OpenDatabaseOptions extends SqliteConnectionOptions, Pick<PrismaDriverOptions, "transaction"> {
  /** Entity names the driver serves. @default every model of the client's schema */
  entities?: readonly string[];
  /** Most PostgreSQL connections the pool opens. @default 10 */
  poolSize?: number;
}

export interface Database<Client> {
  /** The app's Prisma client, for queries the driver does not cover. */
  prisma: Client;
  driver: PrismaDriver;
  provider: PrismaProvider;
  /** Disconnects the client and closes its connections. */
  close(): Promise<void>;
}

/** `postgresql://` and `postgres://` mean PostgreSQL; anything else is a SQLite file (`file:` optional). */
export function providerOf(url: string): PrismaProvider {
  return /^postgres(ql)?:\/\//i.test(url) ? "postgresql" : "sqlite";
}

/**
 * Connects an app's generated Prisma client to the database `url` names and wraps it in a driver. The
 * client must have been generated for that provider (each provider has its own schema).
 */
export async function openDatabase<Client extends PrismaClientLike & { $connect(): Promise<void>; $disconnect(): Promise<void> }>(
  url: string,
  PrismaClient: PrismaClientClass<Client>,
  options: OpenDatabaseOptions = {},
): Promise<Database<Client>> {
  const provider = providerOf(url);
  const adapter =
    provider === "postgresql"
      ? new PrismaPg(createAppPostgresPool(url, options.poolSize ?? 10), { disposeExternalPool: true })
      : serializedSqliteAdapter(url.replace(/^file:/, ""), options);
  const Constructor = PrismaClient as unknown as new (options: { adapter: unknown; errorFormat: "minimal" }) => Client;
  const prisma = new Constructor({ adapter, errorFormat: "minimal" });
  // Connecting now makes a bad URL or an unreadable file fail at startup, not at the first request.
  await prisma.$connect();
  const driver = new PrismaDriver(prisma, {
    ...(options.entities ? { entities: options.entities } : {}),
    ...(options.transaction ? { transaction: options.transaction } : {}),
  });
  let closing: Promise<void> | undefined;
  return { prisma, driver, provider, close: () => (closing ??= prisma.$disconnect()) };
}
