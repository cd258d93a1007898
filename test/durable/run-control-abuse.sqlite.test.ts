import { describe } from "vitest";
import { createSqliteTestDatabase } from "../helpers/test-database.ts";
import { runControlAbuseCases } from "./run-control-abuse.case.ts";

describe("run control used the wrong way on SQLite", () => runControlAbuseCases(createSqliteTestDatabase));
