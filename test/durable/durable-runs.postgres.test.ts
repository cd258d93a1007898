import { describe } from "vitest";
import { createPostgresTestDatabase } from "../helpers/test-database.ts";
import { durableRunCases } from "./durable-runs.case.ts";

describe("durable runs on PostgreSQL", () => durableRunCases(createPostgresTestDatabase));
