import SchemaBuilder from "@pothos/core";
import ErrorsPlugin from "@pothos/plugin-errors";
import PrismaPlugin, { type PrismaModelTypes } from "@pothos/plugin-prisma";
import type { Row } from "../engine/definition/driver.ts";
import type { GraphQLContext } from "./context.ts";
import type { GraphQLPrismaClient, PrismaDatamodel } from "./prisma-client.ts";

/**
 * Every Prisma model typed as a plain row. Entities are only known at run time, so the generated
 * per-model types cannot reach the builder; the resolvers work on rows either way.
 */
export interface DynamicModel extends PrismaModelTypes {
  Name: string;
  Shape: Row;
  Include: never;
  Select: Row;
  OrderBy: Row;
  Where: Row;
  WhereUnique: Row;
  Create: {};
  Update: {};
  RelationName: never;
  ListRelations: never;
  Relations: {};
}

export interface SagaqlSchemaTypes {
  // Stated, not left to Pothos's defaults: under a consumer's `strict: false` those widen to `unknown`.
  Defaults: "v4";
  Root: object;
  Objects: {};
  Inputs: {};
  Interfaces: {};
  Context: GraphQLContext;
  PrismaTypes: Record<string, DynamicModel>;
  /** Output fields are non-null unless they say `nullable: true`, so the SDL states what is guaranteed. */
  DefaultFieldNullability: false;
  Scalars: {
    JSON: { Input: unknown; Output: unknown };
    DateTime: { Input: Date; Output: Date };
  };
}

export type Types = PothosSchemaTypes.ExtendDefaultTypes<SagaqlSchemaTypes>;
export type Builder = PothosSchemaTypes.SchemaBuilder<Types>;

export function createBuilder(prisma: GraphQLPrismaClient, datamodel: PrismaDatamodel): Builder {
  return new SchemaBuilder<SagaqlSchemaTypes>({
    plugins: [ErrorsPlugin, PrismaPlugin],
    defaults: "v4",
    defaultFieldNullability: false,
    prisma: {
      client: prisma,
      // The client is generated with engineType "client", whose runtime DMMF lacks what the plugin needs.
      dmmf: datamodel,
      exposeDescriptions: false,
      onUnusedQuery: null,
    },
  });
}
