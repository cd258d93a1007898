/**
 * `npm start`: the checkout example on the embedded SQLite database (or PostgreSQL when DATABASE_URL says so),
 * GraphiQL at /graphql. The same as `sagaql start` at the repository root.
 */
import { runApp } from "../../src/index.ts";
import config from "./sagaql.config.ts";

await runApp(config);
