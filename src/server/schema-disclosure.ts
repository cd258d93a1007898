import { GraphQLError, NoSchemaIntrospectionCustomRule, type ExecutionResult } from "graphql";
import { handleStreamOrSingleExecutionResult, type Plugin } from "graphql-yoga";

export interface SchemaDisclosure {
  /** Whether `__schema` and `__type` may be queried. */
  introspection: boolean;
  /** Whether errors may suggest names ("Did you mean …?"), which let a caller map the schema without introspection. */
  fieldSuggestions: boolean;
}

/** Keeps the schema's shape from callers: introspection refused at validation, suggestions cut from every error. */
export function useSchemaDisclosure(disclosure: SchemaDisclosure): Plugin {
  return {
    onValidate({ addValidationRule }) {
      if (!disclosure.introspection) addValidationRule(NoSchemaIntrospectionCustomRule);
      if (disclosure.fieldSuggestions) return;
      return ({ result, setResult }) => {
        if (result.some(hasSuggestion)) setResult(result.map(withoutSuggestion));
      };
    },
    onExecute() {
      if (disclosure.fieldSuggestions) return;
      // Variables are coerced at execution, and a bad enum value's error suggests the right ones.
      return {
        onExecuteDone: (payload) =>
          handleStreamOrSingleExecutionResult(payload, ({ result, setResult }) => {
            if (result.errors?.some(hasSuggestion))
              setResult({ ...result, errors: result.errors.map(withoutSuggestion) } satisfies ExecutionResult);
          }),
      };
    },
  };
}

const SUGGESTION = / Did you mean .*\?$/s;

function hasSuggestion(error: Error): boolean {
  return SUGGESTION.test(error.message);
}

function withoutSuggestion<E extends Error>(error: E): E | GraphQLError {
  if (!(error instanceof GraphQLError) || !hasSuggestion(error)) return error;
  return new GraphQLError(error.message.replace(SUGGESTION, ""), {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: error.extensions,
  });
}
