// The public API of sagaql. Everything a user imports comes from here; the rest is internal.

export { string, text, int, float, boolean, datetime, json } from "./entity/field.ts";
export type { Field, FieldKind, FieldValue, JsonValue } from "./entity/field.ts";
export type { FieldMap, InferEntity, InferCreate, InferUpdate, InferInput } from "./entity/infer.ts";
export { belongsTo, hasMany } from "./entity/relation.ts";
export type { BelongsTo, BelongsToOptions, HasMany, HasManyOptions, OnDelete } from "./entity/relation.ts";
export type { ColumnFields, EntityFieldMap, RelationMap } from "./entity/entity-relations.ts";
export { checkRelations } from "./entity/check-relations.ts";
export type { ResolvedRelation } from "./entity/check-relations.ts";
export { entity } from "./entity/define-entity.ts";
export type { EntityDefinition, EntityRow } from "./entity/define-entity.ts";
export type {
  AccessArgs,
  AccessRules,
  AccessVerdict,
  CreateAccessArgs,
  CreateRule,
  FieldCondition,
  FilterableRow,
  RowFilter,
  RowRule,
} from "./entity/access-rules.ts";
export { action } from "./entity/define-action.ts";
export type {
  ActionBuilder,
  ActionContext,
  ActionDefinition,
  ActionSettings,
  AuthorizeArgs,
  AuthorizeRule,
  RequestContext,
} from "./entity/define-action.ts";

export { step } from "./engine/definition/step.ts";
export type { Step, StepOptions, StepEffect, RetryOptions, StepOutput } from "./engine/definition/step.ts";
export type { StepContext, DataMap } from "./engine/definition/context.ts";
export { workflow, defineWorkflow, WorkflowBuilder } from "./engine/definition/define-workflow.ts";
export type { WorkflowDefinition, WorkflowOptions } from "./engine/definition/define-workflow.ts";
export { executeWorkflow } from "./engine/execution/execute-workflow.ts";
export type {
  ExecuteOptions,
  WorkflowOutcome,
  WorkflowSuccess,
  WorkflowFailure,
} from "./engine/execution/execute-workflow.ts";
export type { FailedCompensation } from "./engine/execution/compensate.ts";
export { runWorkflow } from "./engine/execution/run-workflow.ts";
export type { RunWorkflowOptions } from "./engine/execution/run-workflow.ts";
export { createEntityStep } from "./entity/create-entity-step.ts";
export type { EntityStepOptions, EntityRef } from "./entity/create-entity-step.ts";
export { updateEntityStep } from "./entity/update-entity-step.ts";
export type { EntityUpdate } from "./entity/update-entity-step.ts";
export { deleteEntityStep } from "./entity/delete-entity-step.ts";
export {
  SagaqlError,
  NonRetryableError,
  ServiceNotFoundError,
  StepTimeoutError,
  TransactionCommitError,
  WorkflowDefinitionError,
  NotJournalableError,
  RunFinishedError,
  RunLeaseLostError,
  RunInterruptedError,
  WorkflowDefinitionChangedError,
  RunCancelledError,
  RunShutdownError,
} from "./engine/errors.ts";
export { cancelRun } from "./engine/control/cancel-run.ts";
export type { CancelRunOptions } from "./engine/control/cancel-run.ts";
export { retryRun, resumeRun } from "./engine/control/reopen-run.ts";
export type { ReopenRunOptions, ReopenResult } from "./engine/control/reopen-run.ts";
export type { RunControlResult, RunControlRefusal } from "./engine/control/run-control-result.ts";
export type { RunControlRequest } from "./engine/journal/run-events.ts";
export { stopExecutingRuns } from "./engine/control/run-signals.ts";
export { hearCancelsThrough } from "./engine/control/cancel-watch.ts";
export { JournalWriteError } from "./engine/journal/journal-writer.ts";
export { resumeWorkflow } from "./engine/recovery/resume-workflow.ts";
export type { ResumeOptions } from "./engine/recovery/resume-workflow.ts";
export { RunRecovery } from "./engine/recovery/run-recovery.ts";
export type { RunRecoveryOptions, RecoveryPass } from "./engine/recovery/run-recovery.ts";
export { RunRetention, DEFAULT_RETENTION_MS } from "./engine/journal/run-retention.ts";
export { RunMetrics } from "./observability/run-metrics.ts";
export { RunTracing } from "./observability/run-tracing.ts";
export { instrumentRunJournal } from "./observability/instrument-run-journal.ts";
export { useMetricsEndpoint } from "./observability/use-metrics-endpoint.ts";
export type { RunRetentionOptions } from "./engine/journal/run-retention.ts";
export { isDurableRunJournal } from "./engine/journal/durable-run-journal.ts";
export { entityWorkflows } from "./action/entity-workflows.ts";
export { announcingRunJournal } from "./engine/journal/run-event-feed.ts";
export type { RunEventFeed, RunEventListener } from "./engine/journal/run-event-feed.ts";
export { openRunEventFeed } from "./persistence/open-run-event-feed.ts";
export type { OpenRunEventFeedOptions } from "./persistence/open-run-event-feed.ts";
export { PostgresRunEventFeed } from "./persistence/postgres/postgres-run-event-feed.ts";
export type { PostgresRunEventFeedOptions } from "./persistence/postgres/postgres-run-event-feed.ts";
export { SqliteRunEventFeed } from "./persistence/sqlite/sqlite-run-event-feed.ts";
export type { SqliteRunEventFeedOptions } from "./persistence/sqlite/sqlite-run-event-feed.ts";
export { LocalRunEventFeed } from "./persistence/local-run-event-feed.ts";
export type { LocalRunEventFeedOptions } from "./persistence/local-run-event-feed.ts";
export type { SerializedError } from "./engine/errors.ts";
export { ServiceRegistry } from "./engine/definition/services.ts";
export type { Services, ServiceMap } from "./engine/definition/services.ts";
export type {
  Driver,
  Row,
  Where,
  FindManyOptions,
  TransactionOptions,
  FieldFilter,
  NumericUpdate,
  SortOrder,
} from "./engine/definition/driver.ts";
export type { Logger } from "./engine/logger.ts";
export type { RunJournal, ListRunsFilter, RunVisibilityFilter } from "./engine/journal/run-journal.ts";
export type { RunEvent, RunStatus, StepStatus } from "./engine/journal/run-events.ts";
export type { RunSnapshot, StepSnapshot } from "./engine/journal/run-snapshot.ts";
export { InMemoryRunJournal } from "./engine/journal/in-memory-run-journal.ts";
export {
  DriverError,
  RecordNotFoundError,
  UniqueConstraintError,
  ForeignKeyConstraintError,
  InvalidDataError,
  UnknownEntityError,
} from "./engine/definition/driver-errors.ts";
export { PrismaDriver } from "./persistence/prisma/prisma-driver.ts";
export type { PrismaClientLike, PrismaDriverOptions } from "./persistence/prisma/prisma-driver.ts";
export { openDatabase, providerOf } from "./persistence/prisma/open-database.ts";
export type { Database, OpenDatabaseOptions, PrismaClientClass } from "./persistence/prisma/open-database.ts";
export type { PrismaProvider } from "./persistence/prisma/prisma-provider.ts";
export { applyMigrations } from "./tooling/apply-migrations.ts";
export type { ApplyMigrationsOptions } from "./tooling/apply-migrations.ts";
export { generatePrismaSchema } from "./tooling/generate-prisma-schema.ts";
export type { GeneratePrismaSchemaOptions, SchemaEntity } from "./tooling/generate-prisma-schema.ts";
export { SqliteRunJournal } from "./persistence/sqlite/sqlite-run-journal.ts";
export type { SqliteRunJournalOptions } from "./persistence/sqlite/sqlite-run-journal.ts";
export { PostgresRunJournal } from "./persistence/postgres/postgres-run-journal.ts";
export type { PostgresRunJournalOptions } from "./persistence/postgres/postgres-run-journal.ts";
export { openRunJournal, journalPathFor } from "./persistence/open-run-journal.ts";
export type { OpenRunJournalOptions } from "./persistence/open-run-journal.ts";
export { IdempotencyKeyConflictError } from "./persistence/durable-run-journal-options.ts";
export { ResourceHeldError } from "./engine/errors.ts";
export type {
  DurableRunJournal,
  DurableRunJournalOptions,
  JournaledRun,
  JournaledEvent,
  RunLease,
  ListEventsFilter,
  UnfinishedRunsFilter,
} from "./persistence/durable-run-journal-options.ts";
export { hashRunInput, JournalEncodingError } from "./persistence/run-journal-json.ts";
export { runAction } from "./action/run-action.ts";
export { startAction } from "./action/start-action.ts";
export type { ActionStarted } from "./action/start-action.ts";
export type { ActionRuntime, ActionSuccess, AnyEntity, RunActionRequest } from "./action/run-action.ts";
export {
  ActionError,
  RunFailedError,
  StepFailedError,
  CompensationFailedError,
  ValidationError,
  NotFoundError,
  ForbiddenError,
  RunInProgressError,
  IdempotencyConflictError,
  ResourceBusyError,
  WorkflowCancelledError,
} from "./action/action-errors.ts";
export type { FieldProblem, IdempotencyMismatch } from "./action/action-errors.ts";
export { buildSchema } from "./graphql/build-schema.ts";
export type { BuildSchemaOptions } from "./graphql/build-schema.ts";
export type { GraphQLContext } from "./graphql/context.ts";
export type { GraphQLPrismaClient, PrismaDatamodel } from "./graphql/prisma-client.ts";
export type { PaginationOptions } from "./graphql/list-args.ts";
export { printSortedSchema } from "./graphql/print-sorted-schema.ts";
export { jwtBearer } from "./server/jwt-bearer.ts";
export type { JwtBearerOptions } from "./server/jwt-bearer.ts";
export { signJwt } from "./server/sign-jwt.ts";
export type { SignJwtOptions } from "./server/sign-jwt.ts";

export { defineConfig } from "./app/define-config.ts";
export type {
  SagaqlConfig,
  AppEntities,
  AppServices,
  ServicesSetting,
  ServicesContext,
  ServicesOf,
  RecoveryConfig,
  AppServerOptions,
  StartingApp,
} from "./app/define-config.ts";
export { createApp } from "./app/create-app.ts";
export type { CreateAppOptions, SagaqlApp, AppListenOptions } from "./app/create-app.ts";
export type { AppMigrations } from "./app/migrate-app.ts";
export type { AppPaths } from "./app/app-paths.ts";
export type { AppPrismaClient } from "./app/load-generated-client.ts";
export { runApp } from "./app/run-app.ts";
export type { RunAppOptions } from "./app/run-app.ts";
export { readAppEnv, wholeNumber } from "./app/read-app-env.ts";
export type { AppEnv } from "./app/read-app-env.ts";
export { AppStartError, AppConfigError, GeneratedClientError } from "./app/app-errors.ts";
export { createServer } from "./server/create-server.ts";
export type { CreateServerOptions, ListenOptions, ListeningAddress, SagaqlServer } from "./server/create-server.ts";
export type { RequestContextFactory } from "./server/request-context.ts";
export { createLogger } from "./server/create-logger.ts";
export type { Logger as ServerLogger, CreateLoggerOptions } from "./server/create-logger.ts";
export type { RunControlOptions, RunControlAuthorizeArgs, RunControlOperation } from "./graphql/run-control.ts";
