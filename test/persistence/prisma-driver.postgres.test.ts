import { createPostgresTestDatabase } from "../helpers/test-database.ts";
import { describeDriverContract } from "./driver.case.ts";

describeDriverContract("PrismaDriver on PostgreSQL", createPostgresTestDatabase);
