import { PrismaClient as PostgresClient } from "../../generated/checkout/postgresql/client/client.ts";
import { PrismaClient as SqliteClient } from "../../generated/checkout/sqlite/client/client.ts";
import type { PrismaClientClass } from "../../src/persistence/prisma/open-database.ts";
import type { Provider } from "./bench-database.ts";

/** The example's generated client; both providers' have the same models and methods. */
export type CheckoutPrisma = InstanceType<typeof SqliteClient>;

/** The checkout example's generated Prisma client class for `provider`. */
export function checkoutPrismaClient(provider: Provider): PrismaClientClass<CheckoutPrisma> {
  return (provider === "postgresql" ? PostgresClient : SqliteClient) as unknown as PrismaClientClass<CheckoutPrisma>;
}
