import { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";

/**
 * A syntax error names the token it stopped at (`Unexpected Name "…"`), which can be any text the caller sent,
 * however long; the error keeps the kind of token and its location, not the text.
 */
/** A token of caller-chosen text, quoted after its kind; punctuators (`Expected ":"`) stay, being the grammar's own. */
const ECHOED_TEXT = /\b(Name|String|BlockString|Int|Float) "(?:[^"\\]|\\.)*"/gs;

export function useQuietSyntaxErrors(): Plugin {
  return {
    onParse({ parseFn, setParseFn }) {
      setParseFn((source, options) => {
        try {
          return parseFn(source, options);
        } catch (error) {
          if (!(error instanceof GraphQLError) || !error.message.startsWith("Syntax Error:")) throw error;
          const message = error.message.replace(ECHOED_TEXT, "$1");
          if (message === error.message) throw error;
          throw new GraphQLError(message, {
            source: error.source,
            positions: error.positions,
            extensions: error.extensions,
          });
        }
      });
    },
  };
}
