import { GraphQLError, type ExecutionResult } from "graphql";
import { handleStreamOrSingleExecutionResult, type Plugin } from "graphql-yoga";

/** The `extensions.code` of a result replaced because it was too big to send. */
export const RESPONSE_TOO_LARGE = "RESPONSE_TOO_LARGE";

/**
 * Replaces a result (or one subscription event) whose JSON would exceed `maxBytes` with one error, so that a
 * query the cost limit let through still cannot make the server serialize and send an unbounded body.
 */
export function useResponseSizeLimit(maxBytes: number): Plugin {
  return {
    onExecute: () => ({
      onExecuteDone: (payload) =>
        handleStreamOrSingleExecutionResult(payload, ({ result, setResult }) => {
          if (!exceeds(result.data, maxBytes)) return;
          setResult({ data: null, errors: [tooLarge(maxBytes)] } satisfies ExecutionResult);
        }),
    }),
  };
}

function tooLarge(maxBytes: number): GraphQLError {
  return new GraphQLError(`Response larger than the limit of ${maxBytes} bytes; ask for fewer items or fields.`, {
    extensions: { code: RESPONSE_TOO_LARGE },
  });
}

/**
 * Whether the JSON text of `value` is longer than `maxBytes`, estimated without building it (strings count their
 * UTF-16 length, which under-counts non-ASCII text at most 3 times) and stopping as soon as the answer is known.
 */
function exceeds(value: unknown, maxBytes: number): boolean {
  let budget = maxBytes;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === "string") budget -= item.length + 3;
    else if (item === null || typeof item !== "object") budget -= 8;
    else if (Array.isArray(item)) {
      budget -= item.length + 2;
      for (const element of item) stack.push(element);
    } else {
      for (const [key, element] of Object.entries(item)) {
        budget -= key.length + 4;
        stack.push(element);
      }
    }
    if (budget < 0) return true;
  }
  return false;
}
