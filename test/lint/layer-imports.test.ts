import { RuleTester } from "eslint";
import { join } from "node:path";
import { describe, it } from "vitest";
// @ts-expect-error the rule is plain JavaScript, loaded by ESLint's config without types
import { layerImports } from "../../scripts/lint/layer-imports.js";

RuleTester.describe = describe;
RuleTester.it = it;

// ESLint resolves layers against its working directory: the repository root, as under `npm run lint`.
const ROOT = process.cwd();
const tester = new RuleTester({ languageOptions: { ecmaVersion: 2024, sourceType: "module" } });
const at = (file: string, code: string) => ({ code, filename: join(ROOT, file) });

tester.run("layer-imports", layerImports, {
  valid: [
    at("src/entity/define-entity.ts", `import { step } from "../engine/definition/step.ts";`),
    at("src/graphql/crud.ts", `import { runAction } from "../action/run-action.ts";`),
    at("src/engine/execution/run-steps.ts", `import { resumeWorkflow } from "../recovery/resume-workflow.ts";`),
    at("src/tooling/apply-migrations.ts", `import { openDatabase } from "../persistence/prisma/open-database.ts";`),
    at("src/index.ts", `export { createApp } from "./app/create-app.ts";`),
    at("examples/checkout/entities.ts", `import { entity } from "../../src/index.ts";`),
    at("test/graphql/crud.test.ts", `import { crud } from "../../src/graphql/crud.ts";`),
    at("src/engine/execution/run-steps.ts", `import { readFile } from "node:fs/promises";`),
  ],
  invalid: [
    {
      ...at("src/engine/execution/run-steps.ts", `import { x } from "../../graphql/errors.ts";`),
      errors: [{ message: "src/engine/ may import only no other layer, not src/graphql/" }],
    },
    {
      ...at("src/engine/journal/run-journal.ts", `import { x } from "../../persistence/prisma/prisma-driver.ts";`),
      errors: 1,
    },
    {
      ...at("src/persistence/prisma/open-database.ts", `import { x } from "../../tooling/run-prisma-cli.ts";`),
      errors: [{ message: "src/persistence/ may import only engine, entity, not src/tooling/" }],
    },
    { ...at("src/entity/field.ts", `export { x } from "../action/run-action.ts";`), errors: 1 },
    { ...at("src/graphql/crud.ts", `const m = await import("../server/create-server.ts");`), errors: 1 },
    {
      ...at("src/server/main.ts", `import { serve } from "../../examples/checkout/serve.ts";`),
      errors: [{ message: "src/ must not import examples/" }],
    },
    { ...at("src/persistence/x.ts", `import { entity } from "../index.ts";`), errors: 1 },
    {
      ...at("examples/checkout/app.ts", `import { buildSchema } from "../../src/graphql/build-schema.ts";`),
      errors: 1,
    },
    { ...at("src/newlayer/x.ts", `import { step } from "../engine/definition/step.ts";`), errors: 1 },
  ],
});
