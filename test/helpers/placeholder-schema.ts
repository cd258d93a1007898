import { GraphQLError } from "graphql";
import { createSchema } from "graphql-yoga";
import type { Latch } from "./latch.ts";

export interface PlaceholderHooks {
  /** `slow` opens this when it starts… */
  slowStarted?: Latch;
  /** …and answers when this opens. */
  slowRelease?: Latch;
}

/**
 * A tiny schema to exercise the HTTP server on its own, independent of any entity: the server must work with
 * whatever schema it is given.
 */
export function placeholderSchema(hooks: PlaceholderHooks = {}) {
  return createSchema<{ request: Request & { user?: string } }>({
    typeDefs: /* GraphQL */ `
      type Query {
        hello(name: String): String!
        slow: String!
        broken: String
        refused: String
        header(name: String!): String
        user: String
      }
      type Mutation {
        echo(text: String!): String!
      }
    `,
    resolvers: {
      Query: {
        hello: (_, { name }: { name?: string }) => `hello ${name ?? "world"}`,
        slow: async () => {
          hooks.slowStarted?.open();
          await hooks.slowRelease?.wait();
          return "done";
        },
        broken: () => {
          throw new Error("connection string postgres://admin:hunter2@db leaked");
        },
        refused: () => {
          throw new GraphQLError("You may not read this", { extensions: { code: "FORBIDDEN" } });
        },
        header: (_, { name }: { name: string }, context) => context.request.headers.get(name),
        user: (_, __, context) => context.request.user ?? null,
      },
      Mutation: { echo: (_, { text }: { text: string }) => text },
    },
  });
}
