/**
 * A minimal GraphQL-over-SSE client for tests, the way a browser app would subscribe without a library:
 * `fetch` POST with `Accept: text/event-stream`, reading the `next` / `complete` events as they stream in.
 */
import { retryUntil } from "../helpers/retry-until.ts";
import { adminHeaders } from "../helpers/checkout-tokens.ts";

export interface SsePayload<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

export interface SseSubscription<T> {
  readonly status: number;
  readonly contentType: string | null;
  /** Every `next` payload received so far, in order. */
  readonly payloads: Array<SsePayload<T>>;
  /** True once the server sent `complete` or ended the response. */
  readonly closed: boolean;
  /** Why the stream broke off without `complete` (the connection was cut), if it did. */
  readonly error: unknown;
  /** Resolves when the stream ends, with every payload received. */
  ended(): Promise<Array<SsePayload<T>>>;
  /** Waits until at least `count` payloads arrived. */
  received(count: number): Promise<void>;
  /** Disconnects, as a closed browser tab does. */
  abort(): void;
}

export async function subscribeSse<T>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<SseSubscription<T>> {
  const controller = new AbortController();
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream", ...adminHeaders() },
    body: JSON.stringify({ query, variables }),
    signal: controller.signal,
  });
  const payloads: Array<SsePayload<T>> = [];
  let closed = false;
  let error: unknown;
  const reading = readEvents(response, (payload) => payloads.push(payload as SsePayload<T>))
    .catch((cause: unknown) => {
      if (!controller.signal.aborted) error = cause;
    })
    .finally(() => (closed = true));
  return {
    status: response.status,
    contentType: response.headers.get("content-type"),
    payloads,
    get closed() {
      return closed;
    },
    get error() {
      return error;
    },
    ended: async () => {
      await reading;
      return payloads;
    },
    received: async (count) => {
      await retryUntil(
        () =>
          payloads.length >= count ||
          (closed && Promise.reject(new Error(`the stream ended after ${payloads.length} payloads`))),
        {
          what: `${count} subscription payloads`,
        },
      );
    },
    abort: () => controller.abort(),
  };
}

/** Parses the `text/event-stream` body: events are blank-line separated, `event:` names them, `data:` carries JSON. */
async function readEvents(response: Response, onNext: (payload: unknown) => void): Promise<void> {
  if (!response.body) return;
  const decoder = new TextDecoder();
  let buffer = "";
  const reader = response.body.getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    buffer += decoder.decode(chunk.value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const { event, data } = parseBlock(block);
      if (event === "complete") return void (await reader.cancel());
      if (data !== "" && (event === "next" || event === "message")) onNext(JSON.parse(data));
    }
  }
}

function parseBlock(block: string): { event: string; data: string } {
  let event = "message";
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  return { event, data: data.join("\n") };
}
