/**
 * The baseline server: a bare graphql-yoga on node:http with one hand-written `orderCheckout` resolver (see
 * `handwrittenCheckout`), on the example's database and Prisma client, its providers' files in DATA_DIR. It reads
 * DATABASE_URL, DATA_DIR, HOST and PORT as `npm start` does, and logs the same JSON "checkout example ready" line
 * with its URL, so it is started and awaited like the app. SIGTERM closes it.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { createSchema, createYoga } from "graphql-yoga";
import { PaymentService } from "../../examples/checkout/services/payment-service.ts";
import { ShippingService } from "../../examples/checkout/services/shipping-service.ts";
import { openDatabase, providerOf } from "../../src/persistence/prisma/open-database.ts";
import { checkoutPrismaClient } from "./checkout-prisma-client.ts";
import { handwrittenCheckout, type CheckoutProviders } from "./handwritten-checkout.ts";

const typeDefs = /* GraphQL */ `
  type Order {
    id: ID!
    status: String!
    chargeId: String
    shipmentId: String
  }
  type Query {
    ok: Boolean!
  }
  type Mutation {
    orderCheckout(id: ID!, paymentMethodId: String!): Order!
  }
`;

const url = process.env.DATABASE_URL!;
const dataDir = process.env.DATA_DIR!;
const database = await openDatabase(url, checkoutPrismaClient(providerOf(url)));
const providers: CheckoutProviders = {
  payment: new PaymentService(join(dataDir, "payment-provider.db")),
  shipping: new ShippingService(join(dataDir, "shipping-provider.db")),
};
const resolvers = {
  Query: { ok: () => true },
  Mutation: {
    orderCheckout: (_: unknown, args: { id: string; paymentMethodId: string }) =>
      handwrittenCheckout(database.prisma, providers, args.id, args.paymentMethodId),
  },
};
const yoga = createYoga({ schema: createSchema({ typeDefs, resolvers }) });
const server = createServer(yoga);
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? "127.0.0.1", () => {
  const { address, port } = server.address() as AddressInfo;
  console.log(JSON.stringify({ msg: "checkout example ready", url: `http://${address}:${port}/graphql` }));
});
process.once("SIGTERM", () => {
  server.closeAllConnections();
  server.close(async () => {
    providers.payment.close();
    providers.shipping.close();
    await database.close();
    process.exit(0);
  });
});
