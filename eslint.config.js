import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { layerImports } from "./scripts/lint/layer-imports.js";

export default tseslint.config(
  { ignores: ["generated/**", "dist/**", "node_modules/**", "examples/checkout/client/**", "**/*.d.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts", "**/*.js"],
    plugins: { sagaql: { rules: { "layer-imports": layerImports } } },
    rules: {
      "sagaql/layer-imports": "error",
      // `_`-prefixed names and rest siblings are how this code drops fields on purpose.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
      // Empty interfaces are the augmentation points (`RequestContext`, `Services`); `{}` is Pothos's own generic default.
      "@typescript-eslint/no-empty-object-type": "off",
    },
  },
  {
    // Tests read untyped JSON answers; the public API stays free of `any`.
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // Type tests declare values only so that `typeof` can name their types.
    files: ["**/*.test-d.ts"],
    rules: { "@typescript-eslint/no-unused-vars": "off" },
  },
);
