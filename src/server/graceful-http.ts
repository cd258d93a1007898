import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** A quiet period long enough for the event loop to accept and read what the kernel holds; short next to any grace period. */
export const DEFAULT_SETTLE_MS = 100;
/** However busy the server, it stops accepting connections after this long. */
const MAX_SETTLE_MS = 2_000;
/** How long a connection opened before shutdown may take to send its first request. */
const FIRST_REQUEST_WAIT_MS = 2_000;

export interface DrainResult {
  /** Requests still running when the grace period ran out; their connections were cut. */
  abandoned: number;
}

/**
 * Tracks the requests a Node HTTP server is handling, so shutdown can stop accepting connections, let the
 * requests in flight finish, and then close every keep-alive connection instead of waiting for its idle timeout.
 */
export class GracefulHttp {
  readonly #server: Server;
  readonly #inFlight = new Set<ServerResponse>();
  /** Connections whose first request has not arrived yet: a client opened them to send one. */
  readonly #unused = new Set<Socket>();
  #closing = false;
  #accepted = 0;

  constructor(server: Server) {
    this.#server = server;
    server.on("connection", (socket: Socket) => {
      this.#accepted += 1;
      this.#unused.add(socket);
      socket.once("close", () => {
        if (this.#unused.delete(socket) && this.#closing) this.#closeIdle();
      });
    });
  }

  get closing(): boolean {
    return this.#closing;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Call first thing for every request. */
  track(request: IncomingMessage, response: ServerResponse): void {
    this.#unused.delete(request.socket);
    this.#inFlight.add(response);
    // A response finishing during shutdown leaves its connection idle: close it now rather than at keep-alive timeout.
    if (this.#closing) response.setHeader("connection", "close");
    response.once("close", () => {
      this.#inFlight.delete(response);
      if (this.#closing) this.#closeIdle();
    });
  }

  /**
   * Stops accepting connections and resolves once every connection is closed. Requests in flight get
   * `graceMs` to finish; after that their connections are cut. Event streams (subscriptions) never finish on
   * their own, so they are ended straight away.
   *
   * First it keeps serving for `settleMs` (answering with `connection: close`): requests a client already sent
   * may still sit in the kernel — a connection not yet accepted, or bytes not yet read — and closing the listener
   * or an "idle" connection then would reset them instead of answering them. For the same reason a connection
   * that has not carried a request yet is left open (up to `FIRST_REQUEST_WAIT_MS`) for the request it was opened for.
   */
  async drain(graceMs: number, settleMs = DEFAULT_SETTLE_MS): Promise<DrainResult> {
    this.#closing = true;
    if (settleMs > 0) await this.#settle(settleMs);
    return new Promise((resolve) => {
      let abandoned = 0;
      const timer = setTimeout(() => {
        abandoned = this.#inFlight.size;
        this.#server.closeAllConnections();
      }, graceMs);
      this.#server.close(() => {
        clearTimeout(timer);
        resolve({ abandoned });
      });
      for (const response of this.#inFlight) {
        if (!response.headersSent) response.setHeader("connection", "close");
        else if (String(response.getHeader("content-type") ?? "").includes("text/event-stream")) response.destroy();
      }
      this.#closeIdle();
      setTimeout(() => {
        for (const socket of this.#unused) socket.destroy();
        this.#unused.clear();
        this.#server.closeIdleConnections();
      }, FIRST_REQUEST_WAIT_MS).unref();
    });
  }

  /**
   * Waits until `settleMs` passed without a new connection (at most `MAX_SETTLE_MS`). Each wait ends after a poll
   * phase of the event loop (`setImmediate` runs right after one), so connections the kernel queued while the loop
   * was busy have been accepted, and their bytes read, before the listener closes.
   */
  async #settle(settleMs: number): Promise<void> {
    const deadline = Date.now() + MAX_SETTLE_MS;
    for (let seen = -1; seen !== this.#accepted && Date.now() < deadline;) {
      seen = this.#accepted;
      await sleep(settleMs);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Node's idle connections include the unused ones; those are closed only once their request was answered. */
  #closeIdle(): void {
    if (this.#unused.size === 0) this.#server.closeIdleConnections();
  }
}
