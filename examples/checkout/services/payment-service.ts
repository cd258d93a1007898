import { setTimeout as delay } from "node:timers/promises";
import type Database from "better-sqlite3";
import { NonRetryableError } from "../../../src/index.ts";
import { newId, openProviderDatabase } from "./provider-database.ts";

export interface Charge {
  id: string;
  amount: number;
  currency: string;
  paymentMethod: string;
  idempotencyKey: string;
  refunded: boolean;
}

export interface Refund {
  id: string;
  chargeId: string;
  amount: number;
}

export interface ChargeRequest {
  amount: number;
  currency?: string;
  paymentMethod: string;
  /** A repeated request with the same key returns the first charge instead of charging again. */
  idempotencyKey: string;
  /** Abandons the request, as `fetch` does: an aborted charge is never made. */
  signal?: AbortSignal;
}

/** The card was refused: retrying cannot help. */
export class PaymentDeclinedError extends NonRetryableError {
  override readonly code = "PAYMENT_DECLINED";
}

/** The provider had a transient outage: the same request may succeed later. */
export class PaymentUnavailableError extends Error {
  readonly code = "PAYMENT_UNAVAILABLE";
}

/**
 * The provider took the refund request but could not return the money to the card. It does not say whether a
 * later request could, so the refund may be tried again; nothing was refunded.
 */
export class RefundFailedError extends Error {
  readonly code = "REFUND_FAILED";
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS charges (
    id TEXT PRIMARY KEY, idempotency_key TEXT NOT NULL UNIQUE, amount REAL NOT NULL, currency TEXT NOT NULL,
    payment_method TEXT NOT NULL, created_at TEXT NOT NULL DEFAULT (datetime('now')));
  CREATE TABLE IF NOT EXISTS refunds (
    id TEXT PRIMARY KEY, charge_id TEXT NOT NULL UNIQUE REFERENCES charges(id), amount REAL NOT NULL,
    created_at TEXT NOT NULL DEFAULT (datetime('now')));
  CREATE TABLE IF NOT EXISTS attempts (idempotency_key TEXT PRIMARY KEY, count INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS failed_refunds (charge_id TEXT PRIMARY KEY REFERENCES charges(id), count INTEGER NOT NULL);
`;

interface ChargeRow {
  id: string;
  amount: number;
  currency: string;
  payment_method: string;
  idempotency_key: string;
  refunded: number;
}

/**
 * A simulated card processor following the payment-provider test-card habit:
 * `pm_card_visa` charges, `pm_card_chargeDeclined` is declined, `pm_card_flaky` fails its first attempt
 * per idempotency key with a transient error, `pm_card_slow` answers after `slowMs`, and `pm_card_refundFail`
 * charges but fails every refund of that charge (the charge keeps its card, so this holds after a restart too).
 * Like `fetch`, every call takes an optional signal and rejects with an AbortError once it fires, leaving nothing
 * behind.
 */
export class PaymentService {
  readonly #db: Database.Database;

  constructor(
    file: string,
    private readonly options: { slowMs?: number } = {},
  ) {
    this.#db = openProviderDatabase(file, SCHEMA);
  }

  async charge(request: ChargeRequest): Promise<Charge> {
    const existing = this.#findByKey(request.idempotencyKey);
    if (existing) return existing;
    request.signal?.throwIfAborted();
    if (!(request.amount > 0)) throw new PaymentDeclinedError(`Payment failed: invalid amount ${request.amount}`);
    await this.#simulateCard(request);
    // The wait may have ended just as the signal fired: an abandoned request charges nothing.
    request.signal?.throwIfAborted();
    this.#db
      .prepare(
        "INSERT INTO charges (id, idempotency_key, amount, currency, payment_method) VALUES (?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING",
      )
      .run(newId("ch"), request.idempotencyKey, request.amount, request.currency ?? "usd", request.paymentMethod);
    return this.#findByKey(request.idempotencyKey)!;
  }

  /** Refunds a charge in full. Refunding it again returns the first refund: a charge is refunded at most once. */
  async refund(chargeId: string, options: { signal?: AbortSignal } = {}): Promise<Refund> {
    options.signal?.throwIfAborted();
    const charge = this.#db.prepare("SELECT amount, payment_method FROM charges WHERE id = ?").get(chargeId) as
      { amount: number; payment_method: string } | undefined;
    if (!charge) throw new NonRetryableError(`No such charge: ${chargeId}`);
    if (charge.payment_method === REFUND_FAILS) {
      this.#db
        .prepare(
          "INSERT INTO failed_refunds (charge_id, count) VALUES (?, 1) ON CONFLICT (charge_id) DO UPDATE SET count = count + 1",
        )
        .run(chargeId);
      throw new RefundFailedError(`Refund failed: the card of charge ${chargeId} cannot receive refunds`);
    }
    this.#db
      .prepare("INSERT INTO refunds (id, charge_id, amount) VALUES (?, ?, ?) ON CONFLICT (charge_id) DO NOTHING")
      .run(newId("re"), chargeId, charge.amount);
    const refund = this.#db.prepare("SELECT id, charge_id, amount FROM refunds WHERE charge_id = ?").get(chargeId) as {
      id: string;
      charge_id: string;
      amount: number;
    };
    return { id: refund.id, chargeId: refund.charge_id, amount: refund.amount };
  }

  charges(): Charge[] {
    return (this.#db.prepare(`${SELECT_CHARGE} ORDER BY c.created_at, c.id`).all() as ChargeRow[]).map(toCharge);
  }

  refunds(): Refund[] {
    const rows = this.#db.prepare("SELECT id, charge_id, amount FROM refunds ORDER BY created_at, id").all() as Array<{
      id: string;
      charge_id: string;
      amount: number;
    }>;
    return rows.map((row) => ({ id: row.id, chargeId: row.charge_id, amount: row.amount }));
  }

  /** How many refunds of `chargeId` were asked for and failed. */
  failedRefunds(chargeId: string): number {
    const row = this.#db.prepare("SELECT count FROM failed_refunds WHERE charge_id = ?").get(chargeId) as
      { count: number } | undefined;
    return row?.count ?? 0;
  }

  close(): void {
    this.#db.close();
  }

  #findByKey(key: string): Charge | undefined {
    const row = this.#db.prepare(`${SELECT_CHARGE} WHERE c.idempotency_key = ?`).get(key) as ChargeRow | undefined;
    return row && toCharge(row);
  }

  async #simulateCard(request: ChargeRequest): Promise<void> {
    switch (request.paymentMethod) {
      case "pm_card_visa":
      case REFUND_FAILS:
        return;
      case "pm_card_chargeDeclined":
        throw new PaymentDeclinedError("Payment failed: your card was declined");
      case "pm_card_flaky":
        if (this.#countAttempt(request.idempotencyKey) === 1)
          throw new PaymentUnavailableError("Payment provider temporarily unavailable");
        return;
      case "pm_card_slow":
        // Rejects with an AbortError (the signal's reason as its cause) and drops its listener either way.
        await delay(this.options.slowMs ?? 3000, undefined, request.signal ? { signal: request.signal } : {});
        return;
      default:
        throw new PaymentDeclinedError(`Payment failed: no such payment method "${request.paymentMethod}"`);
    }
  }

  #countAttempt(key: string): number {
    const row = this.#db
      .prepare(
        "INSERT INTO attempts (idempotency_key, count) VALUES (?, 1) ON CONFLICT (idempotency_key) DO UPDATE SET count = count + 1 RETURNING count",
      )
      .get(key) as { count: number };
    return row.count;
  }
}

/** The test card whose charges succeed and whose refunds all fail. */
const REFUND_FAILS = "pm_card_refundFail";

const SELECT_CHARGE = `SELECT c.id, c.amount, c.currency, c.payment_method, c.idempotency_key,
  EXISTS (SELECT 1 FROM refunds r WHERE r.charge_id = c.id) AS refunded FROM charges c`;

function toCharge(row: ChargeRow): Charge {
  return {
    id: row.id,
    amount: row.amount,
    currency: row.currency,
    paymentMethod: row.payment_method,
    idempotencyKey: row.idempotency_key,
    refunded: row.refunded === 1,
  };
}
