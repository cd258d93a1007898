import type Database from "better-sqlite3";
import { NonRetryableError } from "../../../src/index.ts";
import { newId, openProviderDatabase } from "./provider-database.ts";

export interface Shipment {
  id: string;
  orderId: string;
  country: string;
  items: string;
  idempotencyKey: string;
}

export interface ShipmentRequest {
  orderId: string;
  items: string;
  country: string;
  /** A repeated request with the same key returns the first shipment instead of creating another. */
  idempotencyKey: string;
  /** Abandons the request, as `fetch` does: an aborted request creates no shipment. */
  signal?: AbortSignal;
}

/** The carrier does not deliver to the destination. */
export class ShippingUnavailableError extends NonRetryableError {
  override readonly code = "SHIPPING_UNAVAILABLE";
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS shipments (
    id TEXT PRIMARY KEY, idempotency_key TEXT NOT NULL UNIQUE, order_id TEXT NOT NULL, country TEXT NOT NULL,
    items TEXT NOT NULL, created_at TEXT NOT NULL DEFAULT (datetime('now')));
`;

/** Destinations the simulated carrier refuses, like an embargoed country code. */
const REFUSED_COUNTRIES = new Set(["XX"]);

/** A simulated carrier. A shipment cannot be recalled once created, so it offers no cancellation. */
export class ShippingService {
  readonly #db: Database.Database;

  constructor(file: string) {
    this.#db = openProviderDatabase(file, SCHEMA);
  }

  async create(request: ShipmentRequest): Promise<Shipment> {
    const existing = this.#findByKey(request.idempotencyKey);
    if (existing) return existing;
    request.signal?.throwIfAborted();
    if (REFUSED_COUNTRIES.has(request.country)) {
      throw new ShippingUnavailableError(`Shipping is not available to destination "${request.country}"`);
    }
    this.#db
      .prepare(
        "INSERT INTO shipments (id, idempotency_key, order_id, country, items) VALUES (?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING",
      )
      .run(newId("ship"), request.idempotencyKey, request.orderId, request.country, request.items);
    return this.#findByKey(request.idempotencyKey)!;
  }

  shipments(): Shipment[] {
    return this.#db.prepare(`${SELECT} ORDER BY created_at, id`).all() as Shipment[];
  }

  close(): void {
    this.#db.close();
  }

  #findByKey(key: string): Shipment | undefined {
    return this.#db.prepare(`${SELECT} WHERE idempotency_key = ?`).get(key) as Shipment | undefined;
  }
}

const SELECT = "SELECT id, order_id AS orderId, country, items, idempotency_key AS idempotencyKey FROM shipments";
