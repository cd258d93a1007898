/**
 * GraphQL Code Generator: a typed client for the checkout example's operations (`npm run codegen`).
 *
 * Reads the checked-in SDL (`schema/schema.graphql`), not a running server, so it works offline and in CI.
 * The output is checked in too (`examples/checkout/client/`): users see what they get, and a test fails when
 * it is stale.
 */
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "schema/schema.graphql",
  documents: ["examples/checkout/operations/*.graphql"],
  // Under NodeNext, relative imports need their extension.
  emitLegacyCommonJSImports: false,
  ignoreNoDocuments: false,
  generates: {
    "examples/checkout/client/": {
      preset: "client",
      // Results are plain objects; fragments document shared selections rather than hide them.
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        // JSON travels as parsed JSON; DateTime as an ISO 8601 string.
        scalars: { JSON: "unknown", DateTime: "string" },
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
      },
    },
  },
};

export default config;
