import { createSqliteTestDatabase } from "../helpers/test-database.ts";
import { describeDriverContract } from "./driver.case.ts";

describeDriverContract("PrismaDriver on SQLite", createSqliteTestDatabase);
