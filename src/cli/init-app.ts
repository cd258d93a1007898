import { existsSync } from "node:fs";
import { cp, mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { basename, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CliError } from "./cli-error.ts";

/** The scaffold, shipped with the package (`files`). From dist/cli or src/cli it is two folders up. */
const TEMPLATE_DIR = fileURLToPath(new URL("../../templates/app/", import.meta.url));

/** Files a folder may already hold without being "an app already": what `npm install sagaql` leaves. */
const ALLOWED_BEFORE = new Set(["package.json", "package-lock.json", "node_modules", ".git", ".gitignore", ".npmrc"]);

export interface InitResult {
  dir: string;
  /** Files written, relative to `dir`. */
  written: string[];
  /** Whether `npm install` is still needed (the folder had no node_modules with sagaql). */
  needsInstall: boolean;
}

/**
 * Scaffolds a runnable app into `dir` (created if missing). A folder with only what `npm install sagaql` made
 * is fine: its package.json gains the scaffold's type, scripts and devDependencies, and keeps what it has.
 * Anything else already there is refused rather than overwritten.
 */
export async function initApp(target: string, sagaqlVersion: string): Promise<InitResult> {
  const dir = resolve(target);
  await mkdir(dir, { recursive: true });
  const clashes = (await readdir(dir)).filter((name) => !ALLOWED_BEFORE.has(name));
  if (clashes.length > 0) {
    throw new CliError(
      `${dir} is not empty (${clashes.slice(0, 3).join(", ")}${clashes.length > 3 ? ", …" : ""}): run \`sagaql init <new-folder>\` or empty it first`,
    );
  }
  const written: string[] = [];
  const templatePackage = JSON.parse(await readFile(join(TEMPLATE_DIR, "package.json"), "utf8")) as PackageJson;
  // The folder's own package.json stays until it is merged below.
  await cp(TEMPLATE_DIR, dir, {
    recursive: true,
    filter: (source) => resolve(source) !== join(TEMPLATE_DIR, "package.json"),
  });
  // npm renames a package's .gitignore on publish; the template ships it as `gitignore`.
  if (existsSync(join(dir, "gitignore"))) {
    if (existsSync(join(dir, ".gitignore"))) await rename(join(dir, "gitignore"), join(dir, ".gitignore.sagaql"));
    else await rename(join(dir, "gitignore"), join(dir, ".gitignore"));
  }
  for (const folder of ["schema", "prisma"]) await mkdir(join(dir, folder), { recursive: true });
  written.push(
    ...(await listFiles(TEMPLATE_DIR))
      .filter((file) => file !== "package.json")
      .map((file) => (file === "gitignore" ? ".gitignore" : file)),
  );
  await writeFile(
    join(dir, "package.json"),
    `${JSON.stringify(await mergedPackage(dir, templatePackage, sagaqlVersion), null, 2)}\n`,
  );
  written.push("package.json");
  return { dir, written: written.sort(), needsInstall: !existsSync(join(dir, "node_modules", "sagaql")) };
}

interface PackageJson {
  name?: string;
  type?: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  [key: string]: unknown;
}

/** The folder's package.json (if any) with the template's fields added; what the folder already says wins. */
async function mergedPackage(dir: string, template: PackageJson, sagaqlVersion: string): Promise<PackageJson> {
  const path = join(dir, "package.json");
  const existing = existsSync(path) ? (JSON.parse(await readFile(path, "utf8")) as PackageJson) : {};
  const name =
    existing.name ??
    (basename(dir)
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/^[._-]+/, "") ||
      "sagaql-app");
  return {
    ...template,
    ...existing,
    name,
    type: "module",
    scripts: { ...template.scripts, ...existing.scripts },
    dependencies: { ...template.dependencies, sagaql: `^${sagaqlVersion}`, ...existing.dependencies },
    devDependencies: { ...template.devDependencies, ...existing.devDependencies },
  };
}

async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...(await listFiles(join(dir, entry.name), path)));
    else files.push(path);
  }
  return files;
}

/** What to run next, as the lines `sagaql init` prints. */
export function nextSteps(result: InitResult, cwd: string): string[] {
  const where = relative(cwd, result.dir);
  return [
    ...(where ? [`  cd ${where}`] : []),
    ...(result.needsInstall
      ? ["  npm install"]
      : ["  npm install          # the dev tools: TypeScript, the client generator"]),
    "  npx sagaql generate  # Prisma schema, migrations and clients, schema/schema.graphql, the typed client",
    "  npm start            # GraphiQL at http://127.0.0.1:4000/graphql",
    "  npm test",
  ];
}
