// The package as a user gets it: `npm pack`, installed into an empty folder, `sagaql init`, `sagaql generate`,
// `sagaql start` on SQLite and PostgreSQL, the scaffold's saga mutation through its typed client, its own test,
// a strict NodeNext type check, and `import "sagaql"` under plain node.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { freshDatabase, type Provider } from "../helpers/fresh-database.ts";
import { mustRun, NPM_INSTALL, packAndInstall, runCommand, startApp } from "./installed-app.ts";

let app: Awaited<ReturnType<typeof packAndInstall>>;
let generateOutput = "";
const sagaql = (args: string[], env: Record<string, string> = {}) =>
  runCommand(process.execPath, [join(app.appDir, "node_modules/sagaql/dist/cli/main.js"), ...args], app.appDir, env);

beforeAll(async () => {
  app = await packAndInstall();
  await mustRun("npx", ["--prefer-offline", "sagaql", "init"], app.appDir);
  // The scaffold's dev tools: TypeScript, @types/node, GraphQL Code Generator.
  await mustRun("npm", NPM_INSTALL, app.appDir);
  generateOutput = await mustRun("npx", ["--prefer-offline", "sagaql", "generate"], app.appDir);
}, 240_000);

afterAll(() => app?.remove());

describe("the packed package", () => {
  test("ships the built code, declarations, templates, README and LICENSE; no tests, sources or generated clients", () => {
    const files = execFileSync("tar", ["-tzf", app.tarball], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean)
      .map((file) => file.replace(/^package\//, ""));
    expect(files).toEqual(
      expect.arrayContaining([
        "dist/index.js",
        "dist/index.d.ts",
        "dist/cli/main.js",
        "templates/app/sagaql.config.ts",
        "README.md",
        "LICENSE",
        "package.json",
      ]),
    );
    expect(files.filter((file) => !/^(dist|templates)\//.test(file))).toEqual(
      expect.arrayContaining(["README.md", "LICENSE", "package.json"]),
    );
    expect(files.filter((file) => !/^(dist|templates)\//.test(file))).toHaveLength(3);
    expect(
      files.filter((file) => /(^|\/)(test|generated|examples)\//.test(file) && !file.startsWith("templates/app/test/")),
    ).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(app.appDir, "node_modules/sagaql/package.json"), "utf8")) as {
      scripts?: Record<string, string>;
    };
    expect(manifest.scripts?.postinstall).toBeUndefined();
  });

  test("sagaql generate writes the Prisma schemas, migrations, config and clients, the SDL and the typed client", () => {
    expect(generateOutput).toMatch(/sqlite: wrote prisma\/sqlite\/schema\.prisma, migration \d{14}_init/);
    expect(generateOutput).toMatch(/postgresql: wrote prisma\/postgresql\/schema\.prisma, migration \d{14}_init/);
    expect(generateOutput).toContain("generated the typed client");
    expect(readFileSync(join(app.appDir, "schema/schema.graphql"), "utf8")).toContain("tripBook(");
    expect(readFileSync(join(app.appDir, "src/client/graphql.ts"), "utf8")).toContain("TripBookDocument");
  });

  test.each<Provider>(["sqlite", "postgresql"])(
    "sagaql start on %s serves the saga mutation, called through the typed client",
    async (provider) => {
      const database = await freshDatabase(provider);
      const started = await startApp(app.appDir, { DATABASE_URL: database.url, DATA_DIR: database.dataDir });
      try {
        const book = (card: string) =>
          mustRun("npm", ["run", "--silent", "book", "--", card], app.appDir, { GRAPHQL_URL: started.graphqlUrl });
        expect(await book("4242")).toMatch(/^trip \S+ is booked, booking bk_\d+/);
        expect(await book("declined")).toContain(
          "StepFailedError: The card was declined (failed at charge-card, compensated book-flight)",
        );
      } finally {
        await started.stop();
        await database.remove();
      }
    },
    90_000,
  );

  test("the scaffold's own npm test passes", async () => {
    const result = await runCommand("npm", ["test"], app.appDir);
    expect(result.stdout + result.stderr).toMatch(/# pass 2\s+# fail 0/);
    expect(result.code).toBe(0);
  }, 60_000);

  test("the app type-checks with the scaffold's strict NodeNext tsconfig (exactOptionalPropertyTypes, no allowImportingTsExtensions)", async () => {
    const tsconfig = JSON.parse(readFileSync(join(app.appDir, "tsconfig.json"), "utf8")) as {
      compilerOptions: Record<string, unknown>;
    };
    expect(tsconfig.compilerOptions).toMatchObject({
      module: "NodeNext",
      strict: true,
      exactOptionalPropertyTypes: true,
    });
    expect(tsconfig.compilerOptions.allowImportingTsExtensions).toBeUndefined();
    const result = await runCommand("npx", ["--prefer-offline", "tsc", "--noEmit", "-p", "."], app.appDir);
    expect(result.stdout).toBe("");
    expect(result.code).toBe(0);
  }, 60_000);

  test.each([
    ["strict", { strict: true, exactOptionalPropertyTypes: true }],
    ["not strict", { strict: false }],
  ])(
    "no type error comes from sagaql's declarations with skipLibCheck off (%s)",
    async (name, options) => {
      const file = `libcheck-${name.replace(" ", "-")}.json`;
      writeFileSync(
        join(app.appDir, file),
        JSON.stringify({
          compilerOptions: {
            target: "ES2022",
            module: "NodeNext",
            types: ["node"],
            noEmit: true,
            skipLibCheck: false,
            ...options,
          },
          files: ["src/trip.ts", "sagaql.config.ts"],
        }),
      );
      const result = await runCommand("npx", ["--prefer-offline", "tsc", "-p", file], app.appDir);
      const errors = result.stdout.split("\n").filter((line) => /error TS\d+/.test(line));
      // Other packages' own declarations are theirs to fix; sagaql's and the app's must be clean.
      expect(errors.filter((line) => line.includes("node_modules/sagaql/") || !line.includes("node_modules/"))).toEqual(
        [],
      );
    },
    60_000,
  );

  test("sagaql imports under plain node, without a TypeScript loader", async () => {
    const script =
      'import("sagaql").then((m) => console.log([typeof m.createApp, typeof m.defineConfig, typeof m.entity, typeof m.step].join(",")))';
    expect((await mustRun(process.execPath, ["--input-type=module", "-e", script], app.appDir)).trim()).toBe(
      "function,function,function,function",
    );
  });

  test("sagaql --help lists the commands, and each has its own --help", async () => {
    const commands = ["init", "generate", "migrate", "start", "schema"];
    const [help, ...helps] = await Promise.all([
      sagaql(["--help"]),
      ...commands.map((command) => sagaql([command, "--help"])),
    ]);
    commands.forEach((command, index) => {
      expect(help!.stdout).toContain(`  ${command}`);
      expect(helps[index]!.stdout).toContain(`Usage: sagaql ${command}`);
    });
  });

  test("sagaql generate writes a user's relations: foreign keys in both Prisma schemas, relation fields in the SDL", async () => {
    // An app of its own beside the scaffold, in folders of its own, so the scaffold's files stay as they were.
    writeFileSync(
      join(app.appDir, "relations.config.ts"),
      `import { belongsTo, defineConfig, entity, hasMany, string } from "sagaql";
const customer = entity("customer", { name: string, trips: hasMany("trip") });
const trip = entity("trip", { destination: string, customer: belongsTo("customer") });
export default defineConfig({ entities: [customer, trip], prismaDir: "relations/prisma", generatedDir: "relations/generated", schemaFile: "relations/schema.graphql" });
`,
    );
    const generated = await sagaql(["generate", "--config", "relations.config.ts"]);
    expect(generated.code, generated.stderr).toBe(0);
    for (const provider of ["sqlite", "postgresql"]) {
      const prisma = readFileSync(join(app.appDir, `relations/prisma/${provider}/schema.prisma`), "utf8");
      expect(prisma).toMatch(/customerId\s+String/);
      expect(prisma).toMatch(/@relation\("TripCustomer", fields: \[customerId\], references: \[id\]/);
    }
    const sdl = readFileSync(join(app.appDir, "relations/schema.graphql"), "utf8");
    expect(sdl).toMatch(/customer: Customer!?/);
    expect(sdl).toContain("trips(");
    expect(sdl).toMatch(/customerId: ID!/);
  }, 120_000);
});
