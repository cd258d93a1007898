import { describe } from "vitest";
import { createPostgresTestDatabase, createSqliteTestDatabase } from "../helpers/test-database.ts";
import { savepointAndCheckpointCases } from "./savepoints-and-checkpoints.case.ts";

describe("savepoints and step checkpoints on SQLite", () => savepointAndCheckpointCases(createSqliteTestDatabase));
describe("savepoints and step checkpoints on PostgreSQL", () =>
  savepointAndCheckpointCases(createPostgresTestDatabase));
