import type { IncomingMessage, Server, ServerResponse } from "node:http";

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
  #closing = false;

  constructor(server: Server) {
    this.#server = server;
  }

  get closing(): boolean {
    return this.#closing;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Call first thing for every request. */
  track(_request: IncomingMessage, response: ServerResponse): void {
    this.#inFlight.add(response);
    // A response finishing during shutdown leaves its connection idle: close it now rather than at keep-alive timeout.
    if (this.#closing) response.setHeader("connection", "close");
    response.once("close", () => {
      this.#inFlight.delete(response);
      if (this.#closing) this.#server.closeIdleConnections();
    });
  }

  /**
   * Stops accepting connections and resolves once every connection is closed. Requests in flight get
   * `graceMs` to finish; after that their connections are cut. Event streams (subscriptions) never finish on
   * their own, so they are ended straight away.
   */
  drain(graceMs: number): Promise<DrainResult> {
    this.#closing = true;
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
      this.#server.closeIdleConnections();
    });
  }
}
