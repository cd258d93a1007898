import { lexicographicSortSchema, printSchema, type GraphQLSchema } from "graphql";

/** The SDL as checked in (`schema/schema.graphql`): sorted, so the file changes only when the schema does. */
export function printSortedSchema(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + "\n";
}
