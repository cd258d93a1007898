/**
 * Access rules are typed against the entity's fields: a filter on a field the entity does not have, or with a
 * value of the wrong type, is a compile error; so is a rule for an action the entity does not have.
 */
import { describe, expectTypeOf, test } from "vitest";
import {
  action,
  boolean,
  datetime,
  entity,
  float,
  json,
  step,
  string,
  type RequestContext,
  type RowFilter,
} from "../../src/index.ts";

/** What an app's request context would carry; an app types it by augmenting `RequestContext`. */
declare function userOf(request: RequestContext): { sub: string; role: "customer" | "admin" } | undefined;

const order = entity("order", {
  customerId: string,
  total: float,
  paid: boolean.default(false),
  placedAt: datetime.optional(),
  meta: json.optional(),
}).actions({ checkout: action().workflow([step("s", async () => ({}))]) });

describe("access rules", () => {
  test("accept filters on the entity's fields with values of their types", () => {
    order.access({
      read: ({ request }) => userOf(request)?.role === "admin" || { customerId: userOf(request)?.sub },
      create: ({ request, data }) =>
        userOf(request) ? { customerId: userOf(request)!.sub, total: { lte: 1000 } } : data.total === 0,
      update: () => ({ OR: [{ paid: false }, { placedAt: { isNull: true } }], NOT: { total: { gt: 5 } } }),
      delete: () => ({ placedAt: { lt: new Date() }, id: { in: ["a", "b"] }, customerId: { startsWith: "c" } }),
      actions: { checkout: async ({ request }) => ({ customerId: userOf(request)?.sub }) },
    });
  });

  test("refuse a filter on a field the entity does not have", () => {
    // @ts-expect-error: there is no field `owner`
    order.access({ read: () => ({ owner: "x" }) });
    // @ts-expect-error: nor inside a combination
    order.access({ update: () => ({ AND: [{ owner: "b" }] }) });
    // @ts-expect-error: nor under NOT
    order.access({ delete: () => ({ NOT: { owner: "b" } }) });
  });

  test("refuse a value of the wrong type", () => {
    // @ts-expect-error: total is a number
    order.access({ read: () => ({ total: "12" }) });
    // @ts-expect-error: a string operator on a number field
    order.access({ read: () => ({ total: { contains: "1" } }) });
    // @ts-expect-error: paid is a boolean
    order.access({ delete: () => ({ paid: { lt: true } }) });
    // @ts-expect-error: the verdict is a boolean or a filter, not a string
    order.access({ read: () => "yes" });
  });

  test("refuse json fields and unknown actions", () => {
    // @ts-expect-error: json fields cannot be filtered on
    order.access({ read: () => ({ meta: { equals: null } }) });
    // @ts-expect-error: there is no action `refund`
    order.access({ actions: { refund: () => true } });
  });

  test("RowFilter is the shape of the entity's where", () => {
    expectTypeOf<{ total: { gte: 1 } }>().toMatchTypeOf<RowFilter<{ total: number }>>();
    expectTypeOf<{ total: { gte: "1" } }>().not.toMatchTypeOf<RowFilter<{ total: number }>>();
  });
});
