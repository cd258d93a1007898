import { signDevelopmentToken } from "../../examples/checkout/auth/development-tokens.ts";
import { DEVELOPMENT_JWT_SECRET } from "../../examples/checkout/auth/jwt-secret.ts";

/**
 * Every contender gets the same header: the served example checks it (an admin may seed and check out every
 * order), the handwritten servers ignore it.
 */
const AUTHORIZATION = `Bearer ${signDevelopmentToken({ sub: "admin", role: "admin" }, DEVELOPMENT_JWT_SECRET)}`;

/**
 * One GraphQL request over HTTP, as any client sends it: a JSON POST (Node's fetch keeps connections alive).
 * Returns `data`; GraphQL errors or a non-200 answer fail, so a benchmark never counts a refused request.
 */
export async function postGraphql<T>(url: string, query: string, variables: Record<string, unknown>): Promise<T> {
  const headers = { "content-type": "application/json", authorization: AUTHORIZATION };
  const response = await fetch(url, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`HTTP ${response.status} from ${url}: ${text.slice(0, 500)}`);
  const body = JSON.parse(text) as { data?: T; errors?: unknown[] };
  if (body.errors?.length) throw new Error(`GraphQL errors from ${url}: ${JSON.stringify(body.errors).slice(0, 500)}`);
  return body.data as T;
}
