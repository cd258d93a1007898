import type { PrismaProvider } from "./generate-prisma-schema.ts";
import { runPrismaCli } from "./run-prisma-cli.ts";

export interface ClientSchema {
  schemaPath: string;
  provider: PrismaProvider;
}

/**
 * Runs `prisma generate` (the client and the Pothos types) for each schema, offline. In parallel: each
 * run is its own process, and most of its time is spent starting up. `config`: the Prisma config file
 * (@default `prisma.config.ts` in `cwd`, else the one in the schemas' prisma folder).
 */
export async function generatePrismaClients(
  schemas: readonly ClientSchema[],
  cwd: string,
  config?: string,
): Promise<void> {
  await Promise.all(
    schemas.map(({ schemaPath, provider }) =>
      runPrismaCli(["generate", "--schema", schemaPath], { schemaPath, provider, cwd, ...(config ? { config } : {}) }),
    ),
  );
}
