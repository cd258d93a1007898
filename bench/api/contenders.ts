import { readFileSync } from "node:fs";
import { postGraphql } from "./post-graphql.ts";
import type { RawSqlCheckout } from "./raw-sql-checkout.ts";

/** How the table names each contender. */
export const CONTENDER_LABELS = {
  sagaql: "sagaql (npm start)",
  handwritten: "(a) hand-written yoga+Prisma",
  rawsql: "(b) raw SQL, in-process",
} as const;

/** One way of checking out an order, and where its CPU time is spent. */
export interface Contender {
  key: keyof typeof CONTENDER_LABELS;
  label: string;
  checkout(id: string): Promise<void>;
  /** CPU time (user + system) so far, in ms, of the process doing the checkouts' server-side work. */
  cpuMs(): number;
}

const SAGAQL_CHECKOUT = /* GraphQL */ `
  mutation OrderCheckout($id: ID!, $input: OrderCheckoutInput!) {
    orderCheckout(id: $id, input: $input) {
      __typename
      ... on OrderCheckoutSuccess {
        runId
        order {
          id
          status
          chargeId
          shipmentId
        }
      }
      ... on WorkflowError {
        message
        code
        failedStep
      }
    }
  }
`;

const HANDWRITTEN_CHECKOUT = /* GraphQL */ `
  mutation OrderCheckout($id: ID!, $paymentMethodId: String!) {
    orderCheckout(id: $id, paymentMethodId: $paymentMethodId) {
      id
      status
      chargeId
      shipmentId
    }
  }
`;

interface CheckedOutOrder {
  status: string;
}

/** `npm start`'s served app: its `orderCheckout` action mutation, a durable, transactional run per request. */
export function sagaqlContender(url: string, pid: number): Contender {
  const checkout = async (id: string) => {
    const data = await postGraphql<{ orderCheckout: { __typename: string; order?: CheckedOutOrder } }>(
      url,
      SAGAQL_CHECKOUT,
      { id, input: { paymentMethodId: "pm_card_visa" } },
    );
    const result = data.orderCheckout;
    if (result.__typename !== "OrderCheckoutSuccess" || result.order?.status !== "completed")
      throw new Error(`sagaql checkout of ${id}: ${JSON.stringify(result)}`);
  };
  return { key: "sagaql", label: CONTENDER_LABELS.sagaql, checkout, cpuMs: () => processCpuMs(pid) };
}

/** The bare graphql-yoga server with the hand-written resolver. */
export function handwrittenContender(url: string, pid: number): Contender {
  const checkout = async (id: string) => {
    const data = await postGraphql<{ orderCheckout: CheckedOutOrder }>(url, HANDWRITTEN_CHECKOUT, {
      id,
      paymentMethodId: "pm_card_visa",
    });
    if (data.orderCheckout.status !== "completed")
      throw new Error(`hand-written checkout of ${id}: ${JSON.stringify(data.orderCheckout)}`);
  };
  return { key: "handwritten", label: CONTENDER_LABELS.handwritten, checkout, cpuMs: () => processCpuMs(pid) };
}

/** The raw-SQL floor, run in this process (no HTTP). */
export function rawSqlContender(floor: RawSqlCheckout): Contender {
  const cpuMs = () => {
    const used = process.cpuUsage();
    return (used.user + used.system) / 1000;
  };
  return { key: "rawsql", label: CONTENDER_LABELS.rawsql, checkout: (id) => floor.checkout(id), cpuMs };
}

/** A child process's user + system time from /proc (Linux), in ms. */
function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which is in parentheses and may contain spaces: utime is the 12th, stime the 13th.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** USER_HZ: 100 on every Linux this runs on. */
const CLOCK_TICKS_PER_SECOND = 100;
