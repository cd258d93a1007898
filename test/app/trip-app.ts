/**
 * A small user app, as a new project would write it: one entity with a one-step saga that calls a service, in a
 * project folder of its own with sagaql's default layout (prisma/, generated/prisma/, data/). The folder is under
 * the repository's .tmp/ so that the generated client finds the installed Prisma runtime.
 */
import { randomUUID } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { action, defineConfig, entity, step, string } from "../../src/index.ts";
import { generatePrismaClients } from "../../src/tooling/generate-prisma-clients.ts";
import { PROVIDERS } from "../../src/tooling/prisma-app.ts";
import { syncPrismaApp } from "../../src/tooling/sync-prisma-app.ts";

const REPOSITORY = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** A flight booking provider: an external side effect the saga compensates. */
export class Flights {
  readonly booked = new Map<string, string>();
  readonly cancelled: string[] = [];
  closedAt: number | undefined;
  bookedAt: number | undefined;
  /** Bookings asked for, including those still waiting at the gate. */
  calls = 0;
  /** Held while set: lets a test keep a booking in flight. */
  gate: Promise<void> | undefined;

  async book(destination: string, seat: string): Promise<string> {
    this.calls++;
    await this.gate;
    this.bookedAt = performance.now();
    if (destination === "Atlantis") throw new Error(`No flights to ${destination}`);
    const reference = `FL-${this.booked.size + 1}`;
    this.booked.set(reference, `${destination} ${seat}`);
    return reference;
  }

  close(): void {
    this.closedAt = performance.now();
  }
}

export const trip = entity("trip", {
  destination: string,
  status: string.default("planned"),
  flight: string.optional(),
}).actions({
  book: action({ description: "Book the flight and mark the trip booked." })
    .input({ seat: string })
    .workflow([
      step(
        "book-flight",
        async (ctx) => {
          const flight = await ctx.resolve<Flights>("flights").book(ctx.resource.destination, ctx.input.seat);
          await ctx.driver.update("trip", { id: ctx.resourceId }, { status: "booked", flight });
          return { flight };
        },
        async (ctx, booked) => {
          ctx.resolve<Flights>("flights").cancelled.push(booked.flight);
        },
      ),
    ]),
});

/** The config a user would export from sagaql.config.ts, rooted at `root`. */
export function tripConfig(root: string, flights = new Flights()) {
  return defineConfig({ name: "trip app", root, entities: [trip], services: { flights } });
}

export interface TripProject {
  root: string;
  remove(): Promise<void>;
}

/** What `sagaql generate` does for the app: Prisma schemas and migrations for both providers, and their clients. */
export async function generateTripProject(): Promise<TripProject> {
  const root = join(REPOSITORY, ".tmp", `trip-app-${randomUUID().slice(0, 8)}`);
  await mkdir(root, { recursive: true });
  const app = {
    name: "trip",
    entities: [trip],
    prismaDir: join(root, "prisma"),
    generatedDir: join(root, "generated", "prisma"),
  };
  await syncPrismaApp(app, { cwd: REPOSITORY });
  await generatePrismaClients(
    PROVIDERS.map((provider) => ({ provider, schemaPath: join(root, "prisma", provider, "schema.prisma") })),
    REPOSITORY,
  );
  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}
