import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesRule } from "@escape.tech/graphql-armor-max-directives";
import {
  getOperationAST,
  GraphQLError,
  validate,
  type ExecutionArgs,
  type ValidationContext,
  type ValidationRule,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import { queryCost } from "./query-cost.ts";
import { useResponseSizeLimit } from "./response-size-limit.ts";

/** The `extensions.code` of an operation refused by one of the limits below. */
export const QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX";

/** Bounds on what one GraphQL request may ask for; each is checked before any resolver runs. */
export interface QueryLimits {
  /** Lexical tokens in the document; checked while parsing, so a huge document costs no more than this. @default 2000 */
  maxTokens?: number;
  /** Nesting of selections (introspection's `__schema` not counted). @default 10 */
  maxDepth?: number;
  /** Aliased fields in an operation. @default 30 */
  maxAliases?: number;
  /** Directives in an operation. @default 50 */
  maxDirectives?: number;
  /**
   * Largest cost: every field counts 1, and what a list field selects counts once per item it may return.
   * @default 50000
   */
  maxCost?: number;
  /** How many items a list field counts for without a `take` argument; keep it equal to the default page size. @default 50 */
  defaultListSize?: number;
  /**
   * Largest response, in bytes of JSON (estimated); a bigger one is replaced by a `RESPONSE_TOO_LARGE` error. The
   * operation has run by then (a mutation's writes stay): the cost limit is what keeps big work from starting.
   * @default 5_000_000
   */
  maxResponseBytes?: number;
}

export const DEFAULT_QUERY_LIMITS: Required<QueryLimits> = {
  maxTokens: 2000,
  maxDepth: 10,
  maxAliases: 30,
  maxDirectives: 50,
  maxCost: 50_000,
  defaultListSize: 50,
  maxResponseBytes: 5_000_000,
};

/** The plugins enforcing `limits` (over the defaults); `false` turns every limit off. */
export function useQueryLimits(limits: QueryLimits | false | undefined): Plugin[] {
  if (limits === false) return [];
  const settings = { ...DEFAULT_QUERY_LIMITS, ...definedOnly(limits ?? {}) };
  return [
    useTokenLimit(settings.maxTokens),
    useShapeLimits(settings),
    useCostLimit(settings),
    useResponseSizeLimit(settings.maxResponseBytes),
  ];
}

/** graphql-js counts tokens as it lexes and stops at the limit, before a big document becomes a big tree. */
function useTokenLimit(maxTokens: number): Plugin {
  return {
    onParse({ parseFn, setParseFn }) {
      setParseFn((source, options) => {
        try {
          return parseFn(source, { ...options, maxTokens });
        } catch (error) {
          if (error instanceof GraphQLError && error.message.includes("tokens"))
            throw tooComplex(`Token limit of ${maxTokens} exceeded.`);
          throw error;
        }
      });
    },
  };
}

function useShapeLimits(settings: Required<QueryLimits>): Plugin {
  const rules = [
    maxDepthRule({ n: settings.maxDepth, ...reportAs() }),
    maxAliasesRule({ n: settings.maxAliases, ...reportAs() }),
    maxDirectivesRule({ n: settings.maxDirectives, ...reportAs() }),
  ] as ValidationRule[];
  return {
    // On their own and first: one cheap walk refuses an oversized document before the specified rules, which
    // take hundreds of milliseconds over thousands of aliases, run at all.
    onValidate({ params: { schema, documentAST }, setResult }) {
      const errors = validate(schema, documentAST, rules);
      if (errors.length > 0) setResult(errors);
    },
  };
}

/** The rules' own rejection is a thrown "Syntax Error"; reported instead as a validation error with a code. */
function reportAs() {
  return {
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) => {
        context?.reportError(tooComplex(error.message.replace(/^Syntax Error: /, "")));
      },
    ],
  };
}

/**
 * The cost depends on the request's variables (`take: $n`), which validation does not see (and whose results
 * yoga caches per document): so it is checked after validation, before execution.
 */
function useCostLimit(settings: Required<QueryLimits>): Plugin {
  const refuseOver = (args: ExecutionArgs, stop: (result: { errors: GraphQLError[] }) => void) => {
    const operation = getOperationAST(args.document, args.operationName);
    if (!operation) return;
    const cost = queryCost(args.schema, args.document, operation, {
      defaultListSize: settings.defaultListSize,
      variables: args.variableValues,
    });
    if (cost > settings.maxCost)
      stop({ errors: [tooComplex(`Query cost limit of ${settings.maxCost} exceeded, found ${cost}.`)] });
  };
  return {
    onExecute: ({ args, setResultAndStopExecution }) => refuseOver(args, setResultAndStopExecution),
    onSubscribe: ({ args, setResultAndStopExecution }) => refuseOver(args, setResultAndStopExecution),
  };
}

function tooComplex(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: QUERY_TOO_COMPLEX, http: { status: 400 } } });
}

function definedOnly(limits: QueryLimits): QueryLimits {
  return Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined));
}
