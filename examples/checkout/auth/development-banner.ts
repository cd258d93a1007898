import type { ListeningAddress } from "../../../src/index.ts";
import { demoCustomers } from "../seed-data.ts";
import type { DevelopmentTokens } from "./development-tokens.ts";

/** The lines `npm start` prints in development: headers ready to paste into GraphiQL's Headers tab. */
export function developmentBanner(address: ListeningAddress, tokens: DevelopmentTokens): string {
  return [
    `  Runs console (admins): ${address.url}/runs`,
    "",
    `  Development tokens (HS256, SAGAQL_JWT_SECRET or its development default), for GraphiQL's Headers tab:`,
    `  customer ${demoCustomers[0].id}:`,
    `    { "Authorization": "Bearer ${tokens.customer}" }`,
    `  admin:`,
    `    { "Authorization": "Bearer ${tokens.admin}" }`,
  ].join("\n");
}
