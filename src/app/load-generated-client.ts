import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { assertModelMatches, type PrismaDatamodel } from "../graphql/prisma-client.ts";
import type { PrismaClientClass } from "../persistence/prisma/open-database.ts";
import type { PrismaProvider } from "../tooling/generate-prisma-schema.ts";
import type { AnyEntity } from "../action/run-action.ts";
import { GeneratedClientError } from "./app-errors.ts";

/** What the app uses of any generated client, whatever its models. */
export interface AppPrismaClient {
  $connect(): Promise<void>;
  $disconnect(): Promise<void>;
  $transaction(...args: never[]): unknown;
  $queryRawUnsafe(query: string): Promise<unknown>;
}

export interface GeneratedClient {
  PrismaClient: PrismaClientClass<AppPrismaClient>;
  datamodel: PrismaDatamodel;
}

const FIX = "run `sagaql generate`";

/**
 * Imports one provider's generated client and Pothos types from `generatedDir` (only the provider in use: each
 * has its own schema), and checks they were generated for these entities, so that a missing or stale client
 * fails at start with what to do rather than at the first query.
 */
export async function loadGeneratedClient(
  generatedDir: string,
  provider: PrismaProvider,
  entities: readonly AnyEntity[],
  root: string,
): Promise<GeneratedClient> {
  const clientFile = firstExisting(join(generatedDir, provider, "client"), "client");
  const pothosFile = firstExisting(join(generatedDir, provider), "pothos-types");
  const shown = relative(root, join(generatedDir, provider)) || ".";
  if (!clientFile || !pothosFile) {
    throw new GeneratedClientError(
      "GENERATED_CLIENT_MISSING",
      `No generated ${provider} Prisma client in ${shown}: ${FIX}`,
    );
  }
  const [client, pothos] = await Promise.all([importModule(clientFile), importModule(pothosFile)]);
  if (typeof client.PrismaClient !== "function" || typeof pothos.getDatamodel !== "function") {
    throw new GeneratedClientError(
      "GENERATED_CLIENT_MISSING",
      `The generated ${provider} Prisma client in ${shown} is incomplete: ${FIX}`,
    );
  }
  const datamodel = (pothos.getDatamodel as () => PrismaDatamodel)();
  assertInStep(datamodel, entities, shown);
  return { PrismaClient: client.PrismaClient as PrismaClientClass<AppPrismaClient>, datamodel };
}

function assertInStep(datamodel: PrismaDatamodel, entities: readonly AnyEntity[], shown: string): void {
  for (const entity of entities) {
    try {
      assertModelMatches(datamodel, entity);
    } catch (error) {
      const detail = error instanceof Error ? error.message.split(":")[0] : String(error);
      throw new GeneratedClientError(
        "GENERATED_CLIENT_STALE",
        `The generated Prisma client in ${shown} is out of step with the entities (${detail}): ${FIX}`,
        { cause: error },
      );
    }
  }
}

/** TypeScript as `prisma generate` writes it, or JavaScript once compiled. */
function firstExisting(dir: string, stem: string): string | undefined {
  return [".ts", ".js", ".mjs"].map((extension) => join(dir, stem + extension)).find((file) => existsSync(file));
}

async function importModule(file: string): Promise<Record<string, unknown>> {
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
}
