/** The databases an app runs on, by the name Prisma gives their provider. */
export type PrismaProvider = "sqlite" | "postgresql";
