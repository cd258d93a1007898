import { Command } from "commander";
import { generateCommand, initCommand, migrateCommand, schemaCommand, startCommand, type Print } from "./commands.ts";

interface GlobalOptions {
  config?: string;
  verbose?: boolean;
}

/**
 * The `sagaql` command line. Commander: the most used Node CLI library, no dependencies, typed, and it gives
 * every command its `--help` and a clear message for an unknown command or option.
 */
export function createProgram(version: string, print: Print): Command {
  const program = new Command("sagaql")
    .description("Entity definitions become a typed GraphQL API; every action is a durable saga.")
    .version(version, "-v, --version")
    .option("-c, --config <file>", "the app's config file (default: sagaql.config.ts in the current folder)")
    .option("--verbose", "print stack traces of errors (so does DEBUG=1)")
    .showHelpAfterError("(run sagaql --help for the commands)");
  const global = (command: Command) => command.optsWithGlobals<GlobalOptions>();
  const configOf = (command: Command) => {
    const file = global(command).config;
    return file === undefined ? {} : { file };
  };

  program
    .command("init")
    .argument("[dir]", "the folder to create the app in", ".")
    .description(
      "scaffold a runnable app: sagaql.config.ts, an entity with a saga action, a test, tsconfig.json, package.json scripts",
    )
    .action(async (dir: string) => initCommand(dir, version, print));
  program
    .command("generate")
    .description(
      "from the config's entities: Prisma schema and migrations (SQLite and PostgreSQL), Prisma clients, schema/schema.graphql, the typed client",
    )
    .action(async (_options: unknown, command: Command) => generateCommand(configOf(command), print));
  program
    .command("migrate")
    .description("apply pending migrations to the database DATABASE_URL names (default: a SQLite file under data/)")
    .action(async (_options: unknown, command: Command) => migrateCommand(configOf(command), print));
  program
    .command("start")
    .description("apply pending migrations and serve /graphql with GraphiQL (PORT, HOST, DATABASE_URL)")
    .option("--no-migrate", "do not apply pending migrations first")
    .action(async (options: { migrate: boolean }, command: Command) =>
      startCommand({ ...configOf(command), migrate: options.migrate }),
    );
  program
    .command("schema")
    .description("print the GraphQL schema (SDL) the app serves")
    .option("-w, --write", "write it to the config's schemaFile (default schema/schema.graphql) instead of stdout")
    .action(async (options: { write?: boolean }, command: Command) =>
      schemaCommand({ ...configOf(command), write: options.write === true }, print),
    );
  return program;
}
