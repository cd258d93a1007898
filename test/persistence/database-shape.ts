/**
 * The shape of a database as the catalog reports it (tables, columns, types, nullability, defaults, unique
 * indexes), in a form two databases can be compared by. Prisma's own introspection does not run here
 * (PostgreSQL: "Column type 'char' could not be deserialized"), so the drift test compares catalogs.
 */
import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import pg from "pg";
import type { PrismaProvider } from "../../src/tooling/generate-prisma-schema.ts";

const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const PRISMA_TABLE = "_prisma_migrations";

/** Runs `sql` on a fresh empty database of `provider` and returns the resulting shape, sorted. */
export function shapeAfter(provider: PrismaProvider, sql: string): Promise<string[]> {
  return provider === "sqlite" ? Promise.resolve(sqliteShape(sql)) : postgresShape(sql);
}

function sqliteShape(sql: string): string[] {
  const db = new Database(":memory:");
  try {
    db.exec(sql);
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .pluck()
      .all() as string[];
    const lines: string[] = [];
    for (const table of tables.filter((name) => name !== PRISMA_TABLE)) {
      for (const column of db.pragma(`table_info("${table}")`) as Array<{
        name: string;
        type: string;
        notnull: number;
        dflt_value: string | null;
        pk: number;
      }>) {
        lines.push(
          `${table}.${column.name} ${column.type} ${column.notnull ? "NOT NULL" : "NULL"} default=${column.dflt_value} pk=${column.pk}`,
        );
      }
      for (const index of db.pragma(`index_list("${table}")`) as Array<{
        name: string;
        unique: number;
        origin: string;
      }>) {
        const columns = (db.pragma(`index_info("${index.name}")`) as Array<{ name: string }>).map(
          (column) => column.name,
        );
        lines.push(
          `${table} index ${index.origin === "pk" ? "(primary key)" : index.name} unique=${index.unique} (${columns.join(", ")})`,
        );
      }
    }
    return lines.sort();
  } finally {
    db.close();
  }
}

async function postgresShape(sql: string): Promise<string[]> {
  const name = `sagaql_shape_${randomUUID().replaceAll("-", "")}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      await client.query(sql);
      return await describePostgres(client);
    } finally {
      await client.end();
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

async function describePostgres(client: pg.Client): Promise<string[]> {
  const columns = await client.query<{ line: string }>(
    `SELECT table_name || '.' || column_name || ' ' || data_type || coalesce('(' || datetime_precision || ')', '') || ' ' ||
            is_nullable || ' default=' || coalesce(column_default, 'null') AS line
       FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> $1`,
    [PRISMA_TABLE],
  );
  const indexes = await client.query<{ line: string }>(
    `SELECT tablename || ' ' || indexdef AS line FROM pg_indexes WHERE schemaname = 'public' AND tablename <> $1`,
    [PRISMA_TABLE],
  );
  return [...columns.rows, ...indexes.rows].map((row) => row.line).sort();
}
