import { describe } from "vitest";
import { createPostgresTestDatabase } from "../helpers/test-database.ts";
import { runControlCases } from "./run-control.case.ts";

describe("run control on PostgreSQL", () => runControlCases(createPostgresTestDatabase));
