import { describe } from "vitest";
import { createSqliteTestDatabase } from "../helpers/test-database.ts";
import { cancelRaceCases } from "./cancel-race.case.ts";

describe("cancel racing a run's end on SQLite", () => cancelRaceCases(createSqliteTestDatabase));
