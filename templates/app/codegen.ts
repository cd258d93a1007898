// GraphQL Code Generator: a typed client for the operations in src/operations (`sagaql generate` runs it).
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "schema/schema.graphql",
  documents: ["src/operations/*.graphql"],
  emitLegacyCommonJSImports: false,
  generates: {
    "src/client/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: { useTypeImports: true, enumsAsTypes: true, scalars: { JSON: "unknown", DateTime: "string" } },
    },
  },
};

export default config;
