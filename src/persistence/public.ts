// What the persistence layer offers users, re-exported by the package root (src/index.ts).
export { PrismaDriver } from "./prisma-driver.ts";
export type { PrismaClientLike, PrismaDriverOptions } from "./prisma-driver.ts";
export { openDatabase, providerOf } from "./open-database.ts";
export type { Database, OpenDatabaseOptions, PrismaClientClass } from "./open-database.ts";
export { applyMigrations } from "./apply-migrations.ts";
export type { ApplyMigrationsOptions } from "./apply-migrations.ts";
export { generatePrismaSchema } from "./generate-prisma-schema.ts";
export type { GeneratePrismaSchemaOptions, PrismaProvider, SchemaEntity } from "./generate-prisma-schema.ts";
