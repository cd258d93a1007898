import { describe } from "vitest";
import { createSqliteTestDatabase } from "../helpers/test-database.ts";
import { runControlCases } from "./run-control.case.ts";

describe("run control on SQLite", () => runControlCases(createSqliteTestDatabase));
