import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";

/** Variables are optional exactly when the operation declares none (or only optional ones). */
type VariablesArg<V> = Record<string, never> extends V ? [variables?: V] : [variables: V];

/**
 * The smallest typed GraphQL client: the result type comes from the generated document. GraphQL errors
 * (not union failure members, which are data) are thrown, with the messages. The endpoint is a URL, or a URL and
 * the headers to send (e.g. an Authorization header).
 */
export async function typedRequest<Result, Variables>(
  endpoint: string | { url: string; headers: Record<string, string> },
  document: TypedDocumentNode<Result, Variables>,
  ...[variables]: VariablesArg<Variables>
): Promise<Result> {
  const { url, headers } = typeof endpoint === "string" ? { url: endpoint, headers: {} } : endpoint;
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json", ...headers },
    body: JSON.stringify({ query: print(document), variables: variables ?? {} }),
  });
  const body = (await response.json()) as { data?: Result; errors?: Array<{ message: string }> };
  if (body.errors?.length || !body.data)
    throw new Error(`GraphQL errors (HTTP ${response.status}): ${body.errors?.map((e) => e.message).join("; ")}`);
  return body.data;
}
