/**
 * Prisma CLI configuration of this repository (see src/tooling/prisma-cli-config.ts; a user's app gets the
 * same from `sagaql generate`, in its prisma folder).
 *
 * One config serves every schema in the repository: `src/tooling/run-prisma-cli.ts` sets `PRISMA_SCHEMA`
 * and `DATABASE_URL` for each command. Run by hand, it picks the checkout example's schema for the database
 * `DATABASE_URL` names.
 */
import { prismaCliConfig } from "./src/tooling/prisma-cli-config.ts";

export default prismaCliConfig({
  schemas: { sqlite: "prisma/sqlite/schema.prisma", postgresql: "prisma/postgresql/schema.prisma" },
  defaultUrl: "file:./data/checkout.db",
});
