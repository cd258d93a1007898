import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type SagaqlApp } from "../../src/app/create-app.ts";
import { GeneratedClientError } from "../../src/app/app-errors.ts";
import { entity, int, string } from "../../src/index.ts";
import { createLogger } from "../../src/server/create-logger.ts";
import { freshDatabase, type FreshDatabase, type Provider } from "../helpers/fresh-database.ts";
import { postGraphQL } from "../helpers/graphql-request.ts";
import { Latch } from "../helpers/latch.ts";
import { retryUntil } from "../helpers/retry-until.ts";
import { Flights, generateTripProject, tripConfig, type TripProject } from "./trip-app.ts";

const REPOSITORY = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const FIXTURE = join(REPOSITORY, "test/app/trip-app-process.fixture.ts");
const silent = createLogger({ level: "silent" });

let project: TripProject;
beforeAll(async () => {
  project = await generateTripProject();
}, 120_000);
afterAll(async () => {
  await project?.remove();
});

const CREATE = `mutation($destination: String!) { tripCreate(data: { destination: $destination }) { id status } }`;
const BOOK = `mutation($id: ID!) { tripBook(id: $id, input: { seat: "1A" }) {
  __typename
  ... on TripBookSuccess { runId trip { status flight } }
  ... on WorkflowError { code message failedStep compensatedSteps runId }
} }`;

type Booked = {
  tripBook: {
    __typename: string;
    runId?: string;
    trip?: { status: string; flight: string };
    code?: string;
    message?: string;
    failedStep?: string;
  };
};

async function createTrip(url: string, destination: string): Promise<string> {
  const created = await postGraphQL<{ tripCreate: { id: string; status: string } }>(url, CREATE, { destination });
  expect(created.body.data?.tripCreate.status).toBe("planned");
  return created.body.data!.tripCreate.id;
}

describe.each<Provider>(["sqlite", "postgresql"])("a user's app served by createApp (%s)", (provider) => {
  let database: FreshDatabase;
  let app: SagaqlApp;
  let flights: Flights;
  let url: string;

  beforeAll(async () => {
    database = await freshDatabase(provider);
    flights = new Flights();
    app = await createApp({
      ...tripConfig(project.root, flights),
      logger: silent,
      databaseUrl: database.url,
      dataDir: database.dataDir,
    });
    url = (await app.listen({ port: 0 })).graphqlUrl;
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await database?.remove();
  });

  it("migrates the empty database before serving it", () => {
    expect(app.migrations?.ranCli).toBe(true);
    expect(app.provider).toBe(provider);
  });

  it("runs the action's saga over HTTP with the config's service, and reports its run", async () => {
    const id = await createTrip(url, "Lisbon");
    const booked = await postGraphQL<Booked>(url, BOOK, { id });
    const reply = booked.body.data!.tripBook;
    expect(reply).toMatchObject({ __typename: "TripBookSuccess", trip: { status: "booked" } });
    expect(flights.booked.get(reply.trip!.flight)).toBe("Lisbon 1A");
    const run = await postGraphQL<{ workflowRun: { status: string; steps: Array<{ name: string; status: string }> } }>(
      url,
      `query($id: ID!) { workflowRun(id: $id) { status steps { name status } } }`,
      { id: reply.runId },
    );
    expect(run.body.data?.workflowRun).toEqual({
      status: "COMPLETED",
      steps: [{ name: "book-flight", status: "COMPLETED" }],
    });
  });

  it("answers a failing step with the typed error member, the trip unchanged", async () => {
    const id = await createTrip(url, "Atlantis");
    const booked = await postGraphQL<Booked>(url, BOOK, { id });
    expect(booked.body.data?.tripBook).toMatchObject({
      __typename: "StepFailedError",
      code: "ACTION_ERROR",
      failedStep: "book-flight",
      message: "No flights to Atlantis",
    });
    const trip = await postGraphQL<{ trip: { status: string } }>(url, `query($id: ID!) { trip(id: $id) { status } }`, {
      id,
    });
    expect(trip.body.data?.trip.status).toBe("planned");
  });

  it("serves /health, /metrics and the /runs console next to /graphql", async () => {
    const base = url.replace(/\/graphql$/, "");
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok" });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/sagaql_runs_started_total\{[^}]*workflow="trip.book"/);
    const runs = await fetch(`${base}/runs`, { headers: { accept: "text/html" } });
    expect(runs.status).toBe(200);
  });
});

describe.each<Provider>(["sqlite", "postgresql"])("closing a createApp app (%s)", (provider) => {
  it("lets a booking in flight finish, then closes the services, then the data", async () => {
    const database = await freshDatabase(provider);
    try {
      const flights = new Flights();
      const gate = new Latch();
      flights.gate = gate.wait();
      const app = await createApp({
        ...tripConfig(project.root, flights),
        logger: silent,
        databaseUrl: database.url,
        dataDir: database.dataDir,
      });
      const url = (await app.listen({ port: 0 })).graphqlUrl;
      const id = await createTrip(url, "Oslo");
      const booking = postGraphQL<Booked>(url, BOOK, { id });
      await retryUntil(() => flights.calls === 1, { what: "the booking to reach the flights service" });
      const closed = app.close();
      gate.open();
      expect((await booking).body.data?.tripBook.__typename).toBe("TripBookSuccess");
      await closed;
      expect(flights.closedAt).toBeGreaterThan(flights.bookedAt!);
      // The journal closed too (a Prisma client would reconnect on use; the journal does not).
      await expect(app.store.getRun("any")).rejects.toThrow();
    } finally {
      await database.remove();
    }
  }, 60_000);

  it("leaves nothing open: the process ends by itself once the app is closed", async () => {
    const database = await freshDatabase(provider);
    try {
      const run = await runFixture({
        TRIP_MODE: "close",
        TRIP_ROOT: project.root,
        DATABASE_URL: database.url,
        DATA_DIR: database.dataDir,
      });
      expect(run.stdout).toContain(`closed {"tripBook":{"__typename":"TripBookSuccess"}}`);
      expect(run.code).toBe(0);
    } finally {
      await database.remove();
    }
  }, 60_000);
});

describe("runApp", () => {
  it("serves any app from the environment, prints its GraphiQL line and banner, and exits 0 on SIGTERM", async () => {
    const database = await freshDatabase("postgresql");
    const child = spawn(process.execPath, ["--import", "tsx", FIXTURE], {
      cwd: REPOSITORY,
      env: {
        ...process.env,
        TRIP_MODE: "run",
        TRIP_ROOT: project.root,
        DATABASE_URL: database.url,
        PORT: "0",
        HOST: "127.0.0.1",
        LOG_LEVEL: "info",
        SAGAQL_INSTANCE_ID: "trip-1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    try {
      const graphqlUrl = await retryUntil(() => /GraphiQL: (\S+)/.exec(output)?.[1], {
        timeoutMs: 30_000,
        what: "the GraphiQL line",
      });
      await retryUntil(() => output.includes("Try: mutation { tripCreate"), { what: "the banner" });
      const ready = output.split("\n").find((line) => line.includes('"msg":"trip app ready"'));
      expect(JSON.parse(ready!)).toMatchObject({ url: graphqlUrl, owner: expect.stringMatching(/^trip-1@/) });
      const id = await createTrip(graphqlUrl, "Rome");
      expect((await postGraphQL<Booked>(graphqlUrl, BOOK, { id })).body.data?.tripBook.__typename).toBe(
        "TripBookSuccess",
      );
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
      await database.remove();
    }
  }, 60_000);
});

describe("a generated client that is missing or stale", () => {
  it("fails createApp with one line that names the folder and the fix", async () => {
    const empty = await mkdtemp(join(project.root, "empty-"));
    try {
      const starting = createApp({ ...tripConfig(project.root), generatedDir: empty, logger: silent, migrate: false });
      const error = await starting.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(GeneratedClientError);
      expect((error as GeneratedClientError).code).toBe("GENERATED_CLIENT_MISSING");
      expect((error as Error).message).toMatch(
        /^No generated sqlite Prisma client in empty-\w+\/sqlite: run `sagaql generate`$/,
      );
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it("fails createApp when the client was generated for other entities", async () => {
    const changed = entity("trip", { destination: string, seats: int });
    const error = await createApp({
      ...tripConfig(project.root),
      entities: [changed],
      logger: silent,
      migrate: false,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GeneratedClientError);
    expect((error as GeneratedClientError).code).toBe("GENERATED_CLIENT_STALE");
    expect((error as Error).message).toMatch(
      /^The generated Prisma client in generated\/prisma\/sqlite is out of step with the entities \(.*seats.*\): run `sagaql generate`$/,
    );
  });

  it("makes runApp print only that line and exit 1", async () => {
    const database = await freshDatabase("sqlite");
    try {
      const run = await runFixture({
        TRIP_MODE: "run",
        TRIP_ROOT: project.root,
        TRIP_GENERATED_DIR: "nowhere",
        DATABASE_URL: database.url,
        PORT: "0",
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toBe("sagaql: No generated sqlite Prisma client in nowhere/sqlite: run `sagaql generate`\n");
    } finally {
      await database.remove();
    }
  }, 60_000);
});

/** Runs the fixture in a process of its own, to its end. */
function runFixture(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", FIXTURE], {
      cwd: REPOSITORY,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the fixture did not end within 30 s (something was left open):\n${stdout}${stderr}`));
    }, 30_000);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
