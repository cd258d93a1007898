import { describe } from "vitest";
import { createPostgresTestDatabase, createSqliteTestDatabase } from "../helpers/test-database.ts";
import { runRecoveryCases } from "./run-recovery.case.ts";

describe("run recovery on SQLite", () => runRecoveryCases(createSqliteTestDatabase));
describe("run recovery on PostgreSQL", () => runRecoveryCases(createPostgresTestDatabase));
