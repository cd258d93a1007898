import type { FreshDatabase } from "../../test/helpers/fresh-database.ts";
import { spawnServerProcess, type ServerProcess } from "../../test/helpers/start-server-process.ts";
import { benchDatabase, type Provider } from "./bench-database.ts";
import { benchOrders, benchProducts, unitsOf } from "./bench-orders.ts";
import { handwrittenContender, rawSqlContender, sagaqlContender, type Contender } from "./contenders.ts";
import { rawSqlCheckout, type RawSqlCheckout } from "./raw-sql-checkout.ts";
import { seedOverGraphql } from "./seed-over-graphql.ts";
import { seedWithPrisma } from "./seed-with-prisma.ts";
import { verifyCheckouts } from "./verify-checkouts.ts";

/** The three contenders on one database provider, each on a fresh database of its own, seeded with `orders` orders. */
export interface ProviderSetup {
  contenders: Array<{ contender: Contender; orderIds: string[] }>;
  /** Stops the servers and the floor, then checks every contender did all its work (call once all orders ran). */
  finish(): Promise<void>;
  /** Stops whatever still runs and removes the databases. */
  close(): Promise<void>;
}

export async function setUpProvider(
  provider: Provider,
  root: string,
  orders: number,
  log: (line: string) => void,
): Promise<ProviderSetup> {
  const databases: FreshDatabase[] = [];
  const servers: ServerProcess[] = [];
  let floor: RawSqlCheckout | undefined;
  const close = async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await floor?.close();
    floor = undefined;
    for (const database of databases) await database.remove();
  };
  try {
    const [sagaqlDb, handwrittenDb, floorDb] = await Promise.all([
      benchDatabase(provider, root, { migrated: false }),
      benchDatabase(provider, root, { migrated: true }),
      benchDatabase(provider, root, { migrated: true }),
    ]);
    databases.push(sagaqlDb, handwrittenDb, floorDb);
    // `npm start`'s own command line (node --import tsx examples/checkout/main.ts): it migrates the empty database itself.
    const spawned = [
      spawnServerProcess("examples/checkout/main.ts", { DATABASE_URL: sagaqlDb.url, DATA_DIR: sagaqlDb.dataDir }),
      spawnServerProcess("bench/api/handwritten-server.ts", {
        DATABASE_URL: handwrittenDb.url,
        DATA_DIR: handwrittenDb.dataDir,
      }),
    ];
    const ready = await Promise.allSettled(spawned.map((server) => server.ready(120_000)));
    for (const result of ready) if (result.status === "fulfilled") servers.push(result.value);
    for (const result of ready) if (result.status === "rejected") throw result.reason;
    const [sagaqlServer, handwrittenServer] = servers as [ServerProcess, ServerProcess];
    log(`${provider}: servers ready; seeding ${orders} orders per contender`);
    const products = benchProducts();
    const rows = benchOrders(orders);
    const [sagaqlIds, handwrittenIds, floorIds] = await Promise.all([
      seedOverGraphql(sagaqlServer.graphqlUrl, products, rows),
      seedWithPrisma(provider, handwrittenDb.url, products, rows),
      seedWithPrisma(provider, floorDb.url, products, rows),
    ]);
    floor = await rawSqlCheckout(provider, floorDb.url, floorDb.dataDir);
    const contenders = [
      { contender: sagaqlContender(sagaqlServer.graphqlUrl, sagaqlServer.child.pid!), orderIds: sagaqlIds },
      {
        contender: handwrittenContender(handwrittenServer.graphqlUrl, handwrittenServer.child.pid!),
        orderIds: handwrittenIds,
      },
      { contender: rawSqlContender(floor), orderIds: floorIds },
    ];
    const finish = async () => {
      await Promise.all(servers.splice(0).map((server) => server.stop()));
      await floor?.close();
      floor = undefined;
      const each = [
        { label: `${provider} sagaql`, database: sagaqlDb },
        { label: `${provider} hand-written`, database: handwrittenDb },
        { label: `${provider} raw SQL`, database: floorDb },
      ];
      for (const { label, database } of each) {
        await verifyCheckouts({
          label,
          provider,
          url: database.url,
          dataDir: database.dataDir,
          checkouts: orders,
          units: unitsOf(rows),
        });
      }
    };
    return { contenders, finish, close };
  } catch (error) {
    await close();
    throw error;
  }
}
