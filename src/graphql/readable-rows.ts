import type { AccessScope } from "../action/access-scope.ts";
import type { Row } from "../engine/definition/driver.ts";
import type { ModelDelegate } from "./prisma-client.ts";

/** Whether one row, already loaded, is inside the caller's read scope. */
export type ReadableCheck = (id: string, scope: AccessScope) => Promise<boolean>;

/**
 * Asks the database which of the rows a request's resolvers hold are inside the read scope, all at once: the
 * checks one tick of resolvers make (one per `trip.customer` of a page of trips) share one statement, so a level
 * of nesting under a rule costs one statement more, whatever the number of rows. The database evaluates the
 * rule's filter, as it does everywhere else, so a row is judged the same here as in a list.
 */
export function readableRows(delegate: ModelDelegate): (context: object) => ReadableCheck {
  const perRequest = new WeakMap<object, ReadableCheck>();
  return (context) => {
    let check = perRequest.get(context);
    if (!check) {
      check = batchedCheck(delegate);
      perRequest.set(context, check);
    }
    return check;
  };
}

interface Pending {
  scope: AccessScope & { kind: "rows" };
  ids: Set<string>;
  answer: Promise<Set<string>>;
}

function batchedCheck(delegate: ModelDelegate): ReadableCheck {
  let pending: Pending | undefined;
  return async (id, scope) => {
    if (scope.kind !== "rows") return scope.kind === "all";
    // One request has one scope per entity; a different one (never expected) gets its own batch.
    if (!pending || pending.scope !== scope) {
      const batch: Pending = startBatch(delegate, scope, () => {
        if (pending === batch) pending = undefined;
      });
      pending = batch;
    }
    const batch = pending;
    batch.ids.add(id);
    return (await batch.answer).has(id);
  };
}

function startBatch(delegate: ModelDelegate, scope: Pending["scope"], done: () => void): Pending {
  const ids = new Set<string>();
  // The look-up waits for the current tick's resolvers to add their ids.
  const answer = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
    done();
    const rows: Row[] = await delegate.findMany({
      where: { AND: [{ id: { in: [...ids] } }, scope.where] },
      select: { id: true },
    });
    return new Set(rows.map((row) => String(row.id)));
  });
  return { scope, ids, answer };
}
