/**
 * An ESLint rule that keeps the layers' imports one-way. Each folder under src/ is a layer and may import only the
 * layers listed for it; examples may import only the package's public entry points, and nothing under src/ may
 * import examples, tests, benchmarks or scripts. Paths are resolved, so a file's depth in its folder does not matter.
 */
import { dirname, relative, resolve, sep } from "node:path";

/** Which src/ layers each layer may import. The engine is the core: it imports no other layer. */
export const LAYERS = {
  engine: [],
  entity: ["engine"],
  observability: ["engine"],
  persistence: ["engine", "entity"],
  tooling: ["engine", "entity", "persistence"],
  action: ["engine", "entity", "persistence"],
  graphql: ["engine", "entity", "action"],
  server: ["engine", "entity", "action", "graphql", "observability"],
  app: ["engine", "entity", "action", "graphql", "observability", "persistence", "tooling", "server"],
  cli: ["engine", "entity", "action", "graphql", "observability", "persistence", "tooling", "server", "app"],
};

/** The files a consumer may import: what the package exports. */
const PUBLIC_ENTRIES = new Set(["src/index.ts", "src/testing.ts"]);
const OUTSIDE_SRC = ["examples", "test", "bench", "scripts"];

/** `src/<layer>/…` → layer; `src/index.ts` → "root"; elsewhere → the top folder. */
function locate(root, file) {
  const parts = relative(root, file).split(sep);
  if (parts[0] !== "src") return { top: parts[0], path: parts.join("/") };
  return { top: "src", layer: parts.length > 2 ? parts[1] : "root", path: parts.join("/") };
}

function problem(from, to) {
  if (from.top === "src" && OUTSIDE_SRC.includes(to.top)) return `src/ must not import ${to.top}/`;
  if (from.top === "examples" && to.top === "src" && !PUBLIC_ENTRIES.has(to.path)) {
    return `examples import only the public entry points (${[...PUBLIC_ENTRIES].join(", ")}), not ${to.path}`;
  }
  if (from.top !== "src" || to.top !== "src" || from.layer === to.layer || from.layer === "root") return undefined;
  const allowed = LAYERS[from.layer];
  if (!allowed) return `src/${from.layer}/ is not a known layer: add it to LAYERS in scripts/lint/layer-imports.js`;
  if (to.layer === "root")
    return `src/${from.layer}/ must not import the package root (src/index.ts): import the module itself`;
  if (!allowed.includes(to.layer))
    return `src/${from.layer}/ may import only ${allowed.join(", ") || "no other layer"}, not src/${to.layer}/`;
  return undefined;
}

export const layerImports = {
  meta: { type: "problem", docs: { description: "keeps the layers' imports one-way" }, schema: [] },
  create(context) {
    const root = context.cwd;
    const from = locate(root, context.filename);
    const check = (node) => {
      const source = node.source?.value;
      if (typeof source !== "string" || !source.startsWith(".")) return;
      const message = problem(from, locate(root, resolve(dirname(context.filename), source)));
      if (message) context.report({ node: node.source, message });
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};
