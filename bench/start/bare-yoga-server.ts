/**
 * The startup baseline: the smallest useful graphql-yoga server — one query, node:http, nothing else — launched the
 * way `npm start` launches the app (npm, then node with tsx), so the comparison leaves only what the app adds:
 * its import graph, its schema, its database and its recovery. It reads HOST and PORT. SIGTERM closes it.
 */
import { createServer } from "node:http";
import { createSchema, createYoga } from "graphql-yoga";

const yoga = createYoga({
  schema: createSchema({ typeDefs: "type Query { ok: Boolean! }", resolvers: { Query: { ok: () => true } } }),
});
const server = createServer(yoga);
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? "127.0.0.1");
process.once("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
