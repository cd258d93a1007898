import type { RunControlAuthorizeArgs } from "../../../src/index.ts";
import { callerOf, isAdmin } from "./checkout-user.ts";

/**
 * Who may act on a checkout's run: its customer may cancel it, admins may also retry and resume. A customer sees
 * only the runs of their own orders, and a run the caller may not see is answered as unknown before this rule is
 * asked, so "a customer" here is always the order's own.
 */
export function checkoutRunControl({ request, operation }: RunControlAuthorizeArgs): boolean | string {
  if (isAdmin(request)) return true;
  if (operation === "cancel" && callerOf(request)?.role === "customer") return true;
  return operation === "cancel"
    ? "only the order's customer or an admin may cancel its checkout"
    : `only admins may ${operation} runs`;
}
