import type { AnyField, FieldKind } from "../entity/field.ts";
import type { FieldMap } from "../entity/infer.ts";
import { checkRelations } from "../entity/check-relations.ts";
import type { RelationMap } from "../entity/entity-relations.ts";
import type { PrismaProvider } from "../persistence/prisma/prisma-provider.ts";
import { prismaRelations, type ModelRelations } from "./prisma-relations.ts";

export type { PrismaProvider };

/** What schema generation needs of an entity; any `entity(...)` definition fits. */
export interface SchemaEntity {
  readonly name: string;
  readonly typeName: string;
  readonly fields: FieldMap;
  /** Its `belongsTo` and `hasMany` fields. @default none */
  readonly relations?: RelationMap;
}

export interface GeneratePrismaSchemaOptions {
  provider: PrismaProvider;
  /** Output of the `prisma-client` generator, relative to the schema file. */
  clientOutput: string;
  /**
   * Output file of the `prisma-pothos-types` generator, relative to the schema file; omit to leave that
   * generator out.
   */
  pothosOutput?: string;
  /** Import path of the client, as the Pothos types file writes it (relative to that file). @default "./client/client.ts" */
  pothosClientImport?: string;
  /** Environment variable the datasource reads its URL from. @default "DATABASE_URL" */
  urlEnv?: string;
  /**
   * Adds the framework's own models after the entities: `SagaqlStepCheckpoint` (table `sagaql_step_checkpoints`),
   * where exactly-once database steps record their output in their own transaction. @default true
   */
  frameworkModels?: boolean;
}

const PRISMA_TYPES: Record<FieldKind, string> = {
  string: "String",
  text: "String",
  int: "Int",
  float: "Float",
  boolean: "Boolean",
  datetime: "DateTime",
  json: "Json",
};

/**
 * Prints the Prisma schema of a set of entities. The output depends only on its arguments (models keep the
 * order given, fields their declaration order), so regenerating an unchanged app yields identical text and
 * the drift check can compare files byte for byte.
 */
export function generatePrismaSchema(entities: readonly SchemaEntity[], options: GeneratePrismaSchemaOptions): string {
  const framework = options.frameworkModels === false ? [] : [STEP_CHECKPOINT_MODEL];
  assertDistinctModels([...entities.map((e) => e.typeName), ...framework.map((m) => m.name)]);
  const relations = prismaRelations(checkRelations(entities));
  const sections = [
    header(options),
    ...entities.map((e) => model(e, options.provider, relations.get(e.typeName))),
    ...framework.map((m) => m.text),
  ];
  return `${sections.join("\n\n")}\n`;
}

/**
 * The checkpoints of exactly-once database steps: a step's writes and its row commit in one transaction, and the
 * primary key lets only one execution of a step commit. The engine writes it with raw SQL (see
 * step-checkpoint-sql.ts); the model is here so the app's migrations create the table. `output` is JSON text.
 */
const STEP_CHECKPOINT_MODEL = {
  name: "SagaqlStepCheckpoint",
  text: [
    "/// Written by sagaql: the output of each exactly-once database step, committed with the step's own writes.",
    "model SagaqlStepCheckpoint {",
    '  runId     String   @map("run_id")',
    "  step      String",
    "  output    String",
    '  createdAt DateTime @default(now()) @map("created_at")',
    "",
    "  @@id([runId, step])",
    '  @@map("sagaql_step_checkpoints")',
    "}",
  ].join("\n"),
};

function header(options: GeneratePrismaSchemaOptions): string {
  const lines = [
    "// Generated from the entity definitions by scripts/generate-prisma.ts. Do not edit by hand.",
    "",
    "generator client {",
    '  provider               = "prisma-client"',
    `  output                 = ${quote(options.clientOutput)}`,
    '  engineType             = "client"',
    '  runtime                = "nodejs"',
    '  moduleFormat           = "esm"',
    '  generatedFileExtension = "ts"',
    '  importFileExtension    = "ts"',
    "}",
  ];
  if (options.pothosOutput !== undefined) {
    lines.push(
      "",
      "generator pothos {",
      '  provider     = "prisma-pothos-types"',
      `  clientOutput = ${quote(options.pothosClientImport ?? "./client/client.ts")}`,
      `  output       = ${quote(options.pothosOutput)}`,
      "}",
    );
  }
  lines.push(
    "",
    "datasource db {",
    `  provider = ${quote(options.provider)}`,
    // 6.19 refuses a datasource without `url`, and without it the CLI falls back to downloading an engine.
    `  url      = env(${quote(options.urlEnv ?? "DATABASE_URL")})`,
    "}",
  );
  return lines.join("\n");
}

function model(
  entity: SchemaEntity,
  provider: PrismaProvider,
  relations: ModelRelations = { rows: [], blocks: [] },
): string {
  const rows: Array<[string, string, string]> = [
    ["id", "String", "@id @default(uuid())"],
    ["createdAt", "DateTime", "@default(now())"],
    ["updatedAt", "DateTime", "@updatedAt"],
    ...Object.entries(entity.fields).map(([name, field]) => column(entity, name, field, provider)),
    ...relations.rows,
  ];
  const nameWidth = Math.max(...rows.map(([name]) => name.length));
  const typeWidth = Math.max(...rows.map(([, type]) => type.length));
  const body = rows.map(([name, type, attributes]) =>
    `  ${name.padEnd(nameWidth)} ${attributes ? `${type.padEnd(typeWidth)} ${attributes}` : type}`.trimEnd(),
  );
  const blocks = relations.blocks.length > 0 ? ["", ...relations.blocks.map((block) => `  ${block}`)] : [];
  return [`model ${entity.typeName} {`, ...body, ...blocks, "}"].join("\n");
}

function column(
  entity: SchemaEntity,
  name: string,
  field: AnyField,
  provider: PrismaProvider,
): [string, string, string] {
  const type = PRISMA_TYPES[field.kind] + (field.isOptional ? "?" : "");
  const attributes: string[] = [];
  if (field.hasDefault) attributes.push(`@default(${defaultLiteral(entity, name, field, provider)})`);
  if (field.isUnique) attributes.push("@unique");
  if (field.kind === "text" && provider === "postgresql") attributes.push("@db.Text");
  return [name, type, attributes.join(" ")];
}

/** A Prisma literal for a field's default, checked so that a bad value fails here rather than in `prisma`. */
function defaultLiteral(entity: SchemaEntity, name: string, field: AnyField, provider: PrismaProvider): string {
  const value: unknown = field.defaultValue;
  const where = `Entity "${entity.name}", field "${name}"`;
  switch (field.kind) {
    case "string":
    case "text":
      if (typeof value !== "string") throw new TypeError(`${where}: default must be a string`);
      return quote(value);
    case "int":
      if (!Number.isSafeInteger(value)) throw new TypeError(`${where}: default must be a safe integer`);
      return String(value);
    case "float":
      if (typeof value !== "number" || !Number.isFinite(value))
        throw new TypeError(`${where}: default must be a finite number`);
      return String(value);
    case "boolean":
      if (typeof value !== "boolean") throw new TypeError(`${where}: default must be a boolean`);
      return String(value);
    case "datetime":
      if (!(value instanceof Date) || Number.isNaN(value.getTime()))
        throw new TypeError(`${where}: default must be a valid Date`);
      return quote(value.toISOString());
    case "json":
      if (value === undefined) throw new TypeError(`${where}: default must be JSON`);
      // Prisma 6.19 prints a SQLite Json default into the DDL unquoted (`DEFAULT ["draft"]`), which SQLite
      // stores as the wrong value or rejects; a raw SQL string literal comes out right.
      return provider === "sqlite"
        ? `dbgenerated(${quote(sqlString(JSON.stringify(value)))})`
        : quote(JSON.stringify(value));
  }
}

/**
 * A Prisma string literal. Prisma's lexer takes JSON-style escapes, so JSON.stringify's output is one;
 * control characters come out as `\uXXXX`, which it accepts too.
 */
function quote(value: string): string {
  return JSON.stringify(value);
}

function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function assertDistinctModels(models: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of models) {
    if (seen.has(name))
      throw new Error(`Two entities (or an entity and a sagaql model) map to the Prisma model "${name}"`);
    seen.add(name);
  }
}
