import { describe } from "vitest";
import { createSqliteTestDatabase } from "../helpers/test-database.ts";
import { durableRunCases } from "./durable-runs.case.ts";

describe("durable runs on SQLite", () => durableRunCases(createSqliteTestDatabase));
