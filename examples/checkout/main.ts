/**
 * `npm start`: the checkout example on the embedded SQLite database (or PostgreSQL when DATABASE_URL says so),
 * GraphiQL at /graphql. The same as `sagaql start` at the repository root.
 */
import { AppStartError, runApp } from "../../src/index.ts";

// Loaded here rather than imported: a config the environment makes unusable (a production start without
// SAGAQL_JWT_SECRET) is one line and exit code 1, as runApp reports its own start failures.
const config = await import("./sagaql.config.ts").then(
  (module) => module.default,
  (error: unknown) => {
    if (!(error instanceof AppStartError)) throw error;
    process.stderr.write(`sagaql: ${error.message}\n`);
    process.exit(1);
  },
);

await runApp(config);
