import { describe } from "vitest";
import { createPostgresTestDatabase } from "../helpers/test-database.ts";
import { cancelRaceCases } from "./cancel-race.case.ts";

describe("cancel racing a run's end on PostgreSQL", () => cancelRaceCases(createPostgresTestDatabase));
