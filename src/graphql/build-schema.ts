import type { GraphQLSchema } from "graphql";
import type { ActionRuntime, AnyEntity } from "../action/run-action.ts";
import { isDurableRunJournal, type DurableRunJournal } from "../engine/journal/durable-run-journal.ts";
import type { RunEventFeed } from "../engine/journal/run-event-feed.ts";
import { addActionMutation } from "./action-mutation.ts";
import type { GraphQLContext } from "./context.ts";
import { createBuilder, type Builder } from "./builder.ts";
import { computeOnCreate } from "./computed-on-create.ts";
import { crudAccess } from "./access-filter.ts";
import { addCrudMutations, addCrudQueries } from "./crud.ts";
import type { ComputedOnCreate } from "../entity/define-entity.ts";
import type { Row } from "../engine/definition/driver.ts";
import { addEntityInputs } from "./entity-inputs.ts";
import { addEntityType } from "./entity-type.ts";
import { addWorkflowErrorTypes } from "./errors.ts";
import { addFilterTypes, addSortOrder, type FilterRefs, type SortOrderRef } from "./filters.ts";
import type { PaginationOptions } from "./list-args.ts";
import { actionFieldName, entityNames } from "./names.ts";
import { assertModelMatches, modelDelegate, type GraphQLPrismaClient, type PrismaDatamodel } from "./prisma-client.ts";
import { addRunSubscription } from "./run-subscription.ts";
import { warnOfOpenEntities } from "./open-entities.ts";
import { runVisibility, type RunVisibility } from "./run-visibility.ts";
import { addRunControl, type RunControlOptions } from "./run-control.ts";
import { hearCancelsThrough } from "../engine/control/cancel-watch.ts";
import { addRunQueries, declareRunType, type DeclaredRunRef, type SecretInputs } from "./runs.ts";
import { resourceKey } from "../action/resource-key.ts";
import { addScalars } from "./scalars.ts";
import { checkRelations, type ResolvedRelation } from "../entity/check-relations.ts";
import { addRelationFields, type RelatedTypes, type ScopesOf } from "./relation-fields.ts";
import { readableRows } from "./readable-rows.ts";
import { readScopesOf } from "./read-scopes.ts";
import { addRelationFilters, whereShapes, type WhereShape } from "./relation-filters.ts";
import { relationGuard } from "./relation-guard.ts";

export interface BuildSchemaOptions {
  /** The app's entities: each becomes an object type, `x`/`xs` queries, CRUD mutations and one mutation per action. */
  entities: readonly AnyEntity[];
  /** What actions run with: the driver, the run journal (also read by `workflowRun`), services and logger. */
  runtime: ActionRuntime;
  /** The app's generated `PrismaClient`; queries and CRUD mutations go through it. */
  prisma: GraphQLPrismaClient;
  /** `getDatamodel()` from the Pothos types file generated next to that client. */
  datamodel: PrismaDatamodel;
  /** Page sizes of the list queries. @default { defaultTake: 50, maxTake: 200 } */
  pagination?: PaginationOptions;
  /**
   * Live progress: adds `subscription { workflowRunUpdated(id) }`, woken by this feed (`PostgresRunEventFeed`
   * or `SqliteRunEventFeed` over the same journal). Needs a durable run journal in `runtime.store`.
   * @default none: the schema has no Subscription type
   */
  runEvents?: RunEventFeed;
  /**
   * `workflowRunCancel`, `workflowRunRetry` and `workflowRunResume` (added with a durable run journal in
   * `runtime.store`): who may use them, and who the journal records. @default open to every caller
   */
  runControl?: RunControlOptions;
}

/** The GraphQL schema of an app, ready for any GraphQL server; its context is `GraphQLContext`. */
export function buildSchema(options: BuildSchemaOptions): GraphQLSchema {
  assertDistinctFieldNames(options.entities);
  const relations = checkRelations(options.entities);
  const readableNames = new Set(
    options.entities.filter((entity) => entity.crudOperations.read).map((entity) => entity.name),
  );
  const readable = (name: string) => readableNames.has(name);
  const builder = createBuilder(options.prisma, options.datamodel);
  addScalars(builder);
  builder.queryType({});
  builder.mutationType({});
  addWorkflowErrorTypes(builder);
  const shared: SharedInputs = {
    filters: addFilterTypes(builder),
    sortOrder: addSortOrder(builder),
    run: declareRunType(builder),
    relations,
    shapes: whereShapes(options.entities, relations, readable),
    readScopes: readScopesOf(options.entities),
  };
  const related = new Map(options.entities.map((entity) => [entity.name, addEntity(builder, entity, options, shared)]));
  addRelationFilters(
    builder,
    relations,
    new Map([...related].map(([name, types]) => [name, types.inputs.where])),
    readable,
  );
  addRelationFields(builder, relations, related, options.pagination ?? {}, shared.readScopes);
  const visibility = runVisibility(
    options.entities,
    (entity) => modelDelegate(options.prisma, entity.name),
    options.runtime.store,
  );
  const run = addRunQueries(builder, options.runtime.store, shared.run, secretInputs(options.entities), visibility);
  if (options.runEvents)
    addRunSubscription(builder, run, { feed: options.runEvents, store: durableStore(options.runtime), visibility });
  addRunControlOf(builder, run, options, visibility);
  warnOfOpenEntities(options.entities, options.runtime.logger);
  // Declaration order, not alphabetical: fields as the entity lists them, arguments in the order clients see documented.
  return builder.toSchema({ sortSchema: false });
}

/** Run control needs a durable journal; with a feed, a cancel reaches the run's owner as soon as it is journaled. */
function addRunControlOf(
  builder: Builder,
  run: ReturnType<typeof addRunQueries>,
  options: BuildSchemaOptions,
  visibility: RunVisibility,
): void {
  const store = options.runtime.store;
  if (!isDurableRunJournal(store)) return;
  if (options.runEvents) hearCancelsThrough(store, options.runEvents, options.runtime.logger);
  addRunControl(builder, {
    store,
    runtime: options.runtime,
    entities: options.entities,
    run,
    visibility,
    options: options.runControl ?? {},
  });
}

/** The subscription reads a run's events after a sequence number, which only a durable journal keeps. */
function durableStore(runtime: ActionRuntime): DurableRunJournal {
  if (!isDurableRunJournal(runtime.store))
    throw new Error(
      "buildSchema: runEvents needs a durable run journal (SqliteRunJournal or PostgresRunJournal) in runtime.store",
    );
  return runtime.store;
}

function secretInputs(entities: readonly AnyEntity[]): SecretInputs {
  const secrets = new Map<string, string[]>();
  for (const entity of entities) {
    for (const action of Object.values(entity.actionDefinitions)) {
      const names = Object.entries(action.inputFields ?? {})
        .filter(([, field]) => field.isSecret)
        .map(([name]) => name);
      if (names.length > 0) secrets.set(action.workflow.name, names);
    }
  }
  return secrets;
}

/** Only an entity with actions on a row can have a held row; the others skip the look-up. */
function rowHolder(entity: AnyEntity, runtime: ActionRuntime): ((id: string) => Promise<string | null>) | undefined {
  const store = runtime.store;
  if (!store.findRunHolding || !Object.values(entity.actionDefinitions).some((action) => action.hasResource))
    return undefined;
  return (id) => store.findRunHolding!(resourceKey(entity.name, id));
}

/** Filter and sort types every entity's inputs use. */
interface SharedInputs {
  filters: FilterRefs;
  sortOrder: SortOrderRef;
  run: DeclaredRunRef;
  relations: readonly ResolvedRelation[];
  shapes: ReadonlyMap<string, WhereShape>;
  readScopes: ScopesOf;
}

function addEntity(
  builder: Builder,
  entity: AnyEntity,
  options: BuildSchemaOptions,
  shared: SharedInputs,
): RelatedTypes {
  assertModelMatches(options.datamodel, entity);
  const delegate = modelDelegate(options.prisma, entity.name);
  const type = addEntityType(builder, entity);
  const target = {
    fields: entity.fields,
    names: entityNames(entity),
    type,
    inputs: addEntityInputs(builder, entity, shared.filters, shared.sortOrder),
    delegate,
    holder: rowHolder(entity, options.runtime),
    computeOnCreate: computeOnCreate(entity.computedOnCreate as ComputedOnCreate<Row>, options.runtime.driver),
    relations: relationGuard(options.prisma, entity, shared.relations),
    relationFilters: shared.shapes.get(entity.name)!.relations,
    access: crudAccess(options.prisma, delegate, entity),
    readScopes: shared.readScopes,
  };
  const readableRow = readableRows(delegate);
  const visibleRow = async (row: Row, context: GraphQLContext) => {
    const scope = (await shared.readScopes(context.request))(entity.name);
    return (await readableRow(context)(String(row.id), scope)) ? row : null;
  };
  if (entity.crudOperations.read) addCrudQueries(builder, target, options.pagination ?? {});
  addCrudMutations(builder, target, entity.crudOperations);
  for (const [actionName, definition] of Object.entries(entity.actionDefinitions)) {
    addActionMutation(builder, {
      entity,
      actionName,
      definition,
      entityType: type,
      runtime: options.runtime,
      runType: shared.run,
      visibleRow,
    });
  }
  return {
    type,
    inputs: target.inputs,
    shape: shared.shapes.get(entity.name)!,
    readable: entity.crudOperations.read,
    ruled: entity.accessRules?.read !== undefined,
    readableRow,
  };
}

/**
 * Two fields of one name would otherwise surface as a Pothos error naming neither entity: e.g. entities
 * `order` and `orders` (both want `Query.orders`).
 */
function assertDistinctFieldNames(entities: readonly AnyEntity[]): void {
  const owners = new Map<string, string>([
    ["Query.workflowRun", "run inspection"],
    ["Query.workflowRuns", "run inspection"],
    ["Subscription.workflowRunUpdated", "run inspection"],
    ["Mutation.workflowRunCancel", "run control"],
    ["Mutation.workflowRunRetry", "run control"],
    ["Mutation.workflowRunResume", "run control"],
  ]);
  const claim = (field: string, owner: string) => {
    const previous = owners.get(field);
    if (previous) throw new Error(`GraphQL field ${field} is claimed twice: by ${previous} and by ${owner}`);
    owners.set(field, owner);
  };
  for (const entity of entities) {
    const names = entityNames(entity);
    claim(`Query.${names.single}`, `entity "${entity.name}"`);
    claim(`Query.${names.list}`, `entity "${entity.name}" (list)`);
    for (const verb of ["create", "update", "delete"] as const)
      claim(`Mutation.${names[verb]}`, `entity "${entity.name}" (${verb})`);
    for (const actionName of Object.keys(entity.actionDefinitions)) {
      claim(`Mutation.${actionFieldName(entity.name, actionName)}`, `action "${entity.name}.${actionName}"`);
    }
  }
}
