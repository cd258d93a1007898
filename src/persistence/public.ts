// What the persistence layer offers users, re-exported by the package root (src/index.ts).
export { PrismaDriver } from "./prisma/prisma-driver.ts";
export type { PrismaClientLike, PrismaDriverOptions } from "./prisma/prisma-driver.ts";
export { openDatabase, providerOf } from "./prisma/open-database.ts";
export type { Database, OpenDatabaseOptions, PrismaClientClass } from "./prisma/open-database.ts";
export { applyMigrations } from "../tooling/apply-migrations.ts";
export type { ApplyMigrationsOptions } from "../tooling/apply-migrations.ts";
export { generatePrismaSchema } from "../tooling/generate-prisma-schema.ts";
export type { GeneratePrismaSchemaOptions, PrismaProvider, SchemaEntity } from "../tooling/generate-prisma-schema.ts";
