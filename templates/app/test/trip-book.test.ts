// `npm test`: the app on a fresh SQLite file, served over HTTP, the saga mutation called as a client would.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { createApp, createLogger, type SagaqlApp } from "sagaql";
import config from "../sagaql.config.js";
import type { FlightService } from "../src/flight-service.js";

let app: SagaqlApp;
let url: string;
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "trip-test-"));
  // LOG_LEVEL=info shows the app's logs; the test keeps to warnings.
  const logger = process.env.LOG_LEVEL ? createLogger() : createLogger({ level: "warn" });
  app = await createApp({ ...config, databaseUrl: `file:${join(dir, "test.db")}`, dataDir: dir, logger });
  const address = await app.listen({ port: 0 });
  url = address.graphqlUrl;
});

after(async () => {
  await app.close();
  await rm(dir, { recursive: true, force: true });
});

/** What the test's queries select; src/book-trip.ts shows the generated, fully typed client instead. */
interface Answers {
  tripCreate: { id: string; status: string };
  tripBook: {
    __typename: string;
    trip: { status: string; bookingId: string };
    failedStep: string;
    compensatedSteps: string[];
  };
}

async function graphql(query: string, variables: Record<string, unknown>): Promise<Answers> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Answers; errors?: unknown };
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  assert.ok(body.data, "the answer has data");
  return body.data;
}

async function createTrip(destination: string): Promise<string> {
  const data = await graphql("mutation ($data: TripCreateInput!) { tripCreate(data: $data) { id status } }", {
    data: { traveller: "Sam", destination },
  });
  assert.equal(data.tripCreate.status, "planned");
  return data.tripCreate.id;
}

const BOOK = `mutation ($id: ID!, $input: TripBookInput!) {
  tripBook(id: $id, input: $input) {
    __typename
    ... on TripBookSuccess { trip { status bookingId } }
    ... on WorkflowError { code failedStep compensatedSteps }
  }
}`;

test("booking a trip books the flight, charges the card and confirms the trip", async () => {
  const id = await createTrip("Lisbon");
  const { tripBook } = await graphql(BOOK, { id, input: { card: "4242" } });
  assert.equal(tripBook.__typename, "TripBookSuccess");
  assert.equal(tripBook.trip.status, "booked");
  assert.ok((app.services.flights as FlightService).bookings.has(tripBook.trip.bookingId));
});

test("a declined card cancels the flight the saga booked", async () => {
  const id = await createTrip("Oslo");
  const flights = app.services.flights as FlightService;
  const before = flights.bookings.size;
  const { tripBook } = await graphql(BOOK, { id, input: { card: "declined" } });
  assert.equal(tripBook.failedStep, "charge-card");
  assert.deepEqual(tripBook.compensatedSteps, ["book-flight"]);
  assert.equal(flights.bookings.size, before);
});
