// `npm run book` (with `npm start` running): creates a trip and books it through the typed client that
// `sagaql generate` writes to src/client from src/operations. GRAPHQL_URL picks another server.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import { TripBookDocument, TripCreateDocument } from "./client/graphql.js";

const url = process.env.GRAPHQL_URL ?? "http://127.0.0.1:4000/graphql";

/** One typed request: the variables and the result have the operation's types. */
export async function request<Result, Variables>(
  document: TypedDocumentNode<Result, Variables>,
  variables: Variables,
): Promise<Result> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as { data?: Result; errors?: Array<{ message: string }> };
  if (!body.data) throw new Error(body.errors?.map((error) => error.message).join("; ") ?? `HTTP ${response.status}`);
  return body.data;
}

const card = process.argv[2] ?? "4242";
const created = await request(TripCreateDocument, { data: { traveller: "Sam", destination: "Lisbon" } });
const { tripBook } = await request(TripBookDocument, { id: created.tripCreate.id, input: { card } });
if (tripBook.__typename === "TripBookSuccess") {
  console.log(`trip ${tripBook.trip?.id} is ${tripBook.trip?.status}, booking ${tripBook.trip?.bookingId}`);
} else if ("failedStep" in tripBook) {
  // Every failure is a WorkflowError: what failed, and which steps were undone.
  console.log(
    `${tripBook.__typename}: ${tripBook.message} (failed at ${tripBook.failedStep}, compensated ${tripBook.compensatedSteps.join(", ")})`,
  );
} else {
  console.log(`${tripBook.__typename}: the run goes on in the background`);
}
