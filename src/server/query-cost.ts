import {
  getNamedType,
  getNullableType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from "graphql";

export interface QueryCostOptions {
  /** How many items a list field counts for when its `take` argument is absent (or it has none). */
  defaultListSize: number;
  /** The request's variables, so that `take: $n` counts what `$n` is. */
  variables?: Record<string, unknown> | null;
}

/**
 * What an operation could cost to answer, before anything runs: every selected field counts 1, and what is
 * selected under a list counts once per item it may return (its `take`, or the default page size). So the
 * cost is about the number of values the response can hold, whatever the data.
 * Introspection is not counted: its size is the schema's, not the caller's choice.
 */
export function queryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  options: QueryCostOptions,
): number {
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;
  return new CostWalk(schema, document, operation, options).selectionSet(operation.selectionSet, root);
}

/** One walk over a document; a fragment is measured once however often it is spread, so nesting spreads stays linear. */
class CostWalk {
  readonly #fragments = new Map<string, FragmentDefinitionNode>();
  readonly #fragmentCosts = new Map<string, number>();
  readonly #variableDefaults = new Map<string, ValueNode>();

  constructor(
    private readonly schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    private readonly options: QueryCostOptions,
  ) {
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) this.#fragments.set(definition.name.value, definition);
    }
    for (const variable of operation.variableDefinitions ?? []) {
      if (variable.defaultValue) this.#variableDefaults.set(variable.variable.name.value, variable.defaultValue);
    }
  }

  selectionSet(selectionSet: SelectionSetNode, type: GraphQLNamedType): number {
    let cost = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) cost += this.field(selection, type);
      else if (selection.kind === Kind.INLINE_FRAGMENT)
        cost += this.selectionSet(selection.selectionSet, this.typeNamed(selection.typeCondition?.name.value) ?? type);
      else cost += this.fragment(selection.name.value);
    }
    return cost;
  }

  private fragment(name: string): number {
    const known = this.#fragmentCosts.get(name);
    if (known !== undefined) return known;
    const fragment = this.#fragments.get(name);
    const type = this.typeNamed(fragment?.typeCondition.name.value);
    // Marked before the walk: a cycle (refused by validation anyway) then ends instead of recursing forever.
    this.#fragmentCosts.set(name, 0);
    const cost = fragment && type ? this.selectionSet(fragment.selectionSet, type) : 0;
    this.#fragmentCosts.set(name, cost);
    return cost;
  }

  private field(node: FieldNode, parent: GraphQLNamedType): number {
    if (node.name.value.startsWith("__")) return 0;
    const definition =
      isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[node.name.value] : undefined;
    if (!definition) return 1;
    const list = isListType(getNullableType(definition.type));
    const size = list ? this.listSize(node) : 1;
    const inner = node.selectionSet
      ? this.selectionSet(node.selectionSet, getNamedType(definition.type))
      : list
        ? 1
        : 0;
    return 1 + size * inner;
  }

  private listSize(node: FieldNode): number {
    const take = node.arguments?.find((argument) => argument.name.value === "take");
    const value = take ? this.intValue(take.value) : undefined;
    return value === undefined ? this.options.defaultListSize : Math.max(0, value);
  }

  private intValue(node: ValueNode): number | undefined {
    if (node.kind === Kind.INT) return Number(node.value);
    if (node.kind !== Kind.VARIABLE) return undefined;
    const value = this.options.variables?.[node.name.value];
    if (typeof value === "number" && Number.isFinite(value)) return value;
    const fallback = this.#variableDefaults.get(node.name.value);
    return fallback?.kind === Kind.INT ? Number(fallback.value) : undefined;
  }

  private typeNamed(name: string | undefined): GraphQLNamedType | undefined {
    return name === undefined ? undefined : this.schema.getType(name);
  }
}
