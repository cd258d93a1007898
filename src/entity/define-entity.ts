import { defineWorkflow } from "../engine/definition/define-workflow.ts";
import { WorkflowDefinitionError } from "../engine/errors.ts";
import type { Driver } from "../engine/definition/driver.ts";
import {
  checkedAccessRules,
  mergedAccessRules,
  type AccessRules,
  type AnyAccessRules,
  type FilterableRow,
} from "./access-rules.ts";
import type { ActionDefinition, RequestContext } from "./define-action.ts";
import { isField } from "./field.ts";
import type { FieldMap, InferEntity } from "./infer.ts";
import { splitRelations, type ColumnFields, type EntityFieldMap, type RelationMap } from "./entity-relations.ts";
import { assertIdentifier, pascalCase, RESERVED_ACTIONS, RESERVED_FIELDS } from "./names.ts";

export type ActionMap<Row> = Record<string, ActionDefinition<Row, never, unknown, boolean>>;

/** Which generated operations an entity has: `read` is `x(id)` and `xs(…)`; the others the CRUD mutations. */
export interface CrudOperations {
  read: boolean;
  create: boolean;
  update: boolean;
  delete: boolean;
}

/** What a value computed on create may read: the client's data (checked), the database, the request. */
export interface ComputeArgs<Row> {
  data: Partial<Row>;
  driver: Driver;
  request: RequestContext;
}

/** Per field, how the server computes its value when a client creates a row. */
export type ComputedOnCreate<Row> = { [K in keyof Row]?: (args: ComputeArgs<Row>) => Row[K] | Promise<Row[K]> };

const ALL_CRUD: CrudOperations = Object.freeze({ read: true, create: true, update: true, delete: true });

export interface EntityDefinition<Name extends string = string, F extends FieldMap = FieldMap, A = {}> {
  readonly kind: "entity";
  readonly name: Name;
  /** GraphQL and Prisma type name: `order` → `Order`. */
  readonly typeName: string;
  readonly fields: F;
  /** Actions by name; each workflow is renamed `<entity>.<action>`. */
  readonly actionDefinitions: A;
  /** The generated operations it has. @default every one */
  readonly crudOperations: CrudOperations;
  /** Fields `xCreate` computes on the server (see `computeOnCreate`). @default none */
  readonly computedOnCreate: ComputedOnCreate<InferEntity<F>>;
  /**
   * Its `belongsTo` and `hasMany` fields by name. A `belongsTo` field `customer` also has its stored column
   * `customerId` in `fields`; a `hasMany` stores nothing. @default none
   */
  readonly relations: RelationMap;
  /** Who may read, create, update, delete and run each action, and on which rows (see `access`). @default open */
  readonly accessRules: AnyAccessRules | undefined;
  /** Adds actions; each becomes the mutation `<entity><Action>`. */
  actions<NA extends ActionMap<InferEntity<F>>>(actions: NA): EntityDefinition<Name, F, A & NA>;
  /**
   * Turns generated operations off, e.g. `.crud({ delete: false })` for rows only an action may remove, or
   * `{ create: false, update: false, delete: false }` for rows that change through actions alone.
   */
  crud(operations: Partial<CrudOperations>): EntityDefinition<Name, F, A>;
  /**
   * Values the server computes when a client creates a row (`xCreate`), e.g. an order's total from its items'
   * prices. The client may leave such a field out; one that sends a different value is refused (`BAD_USER_INPUT`),
   * so a client can never set it to what suits it. Steps writing through `ctx.driver` are not affected.
   */
  computeOnCreate(computed: ComputedOnCreate<InferEntity<F>>): EntityDefinition<Name, F, A>;
  /**
   * Who may do what, per operation and per action, given the request: each rule answers `true`, `false` or a
   * row filter typed against the fields, e.g.
   * `read: ({ request }) => request.user?.role === "admin" || { customerId: request.user?.sub }`.
   * An operation without a rule stays open. Call it after `.actions()`, so the action rules can be checked.
   */
  access(rules: AccessRules<FilterableRow<F>, Extract<keyof A, string>>): EntityDefinition<Name, F, A>;
}

/** The stored row type of an entity definition. */
export type EntityRow<E> = E extends EntityDefinition<string, infer F, unknown> ? InferEntity<F> : never;

/**
 * Defines an entity. `fields` holds scalar fields and relations (`belongsTo`, `hasMany`); the definition's
 * `fields` are the stored columns, so a `belongsTo` field `customer` appears there as `customerId`.
 */
export function entity<const Name extends string, F extends EntityFieldMap>(
  name: Name,
  fields: F,
): EntityDefinition<Name, ColumnFields<F>, {}> {
  assertIdentifier("Entity", name);
  const { columns, relations } = splitRelations(name, fields);
  assertFields(name, columns);
  return build(
    name,
    columns as unknown as ColumnFields<F>,
    {},
    { crudOperations: ALL_CRUD, computedOnCreate: {}, relations, accessRules: undefined },
  );
}

interface Generated<Row> {
  crudOperations: CrudOperations;
  computedOnCreate: ComputedOnCreate<Row>;
  relations: RelationMap;
  accessRules: AnyAccessRules | undefined;
}

function build<Name extends string, F extends FieldMap, A>(
  name: Name,
  fields: F,
  actionDefinitions: A,
  generated: Generated<InferEntity<F>>,
): EntityDefinition<Name, F, A> {
  return Object.freeze({
    kind: "entity",
    name,
    typeName: pascalCase(name),
    fields,
    actionDefinitions,
    ...generated,
    actions<NA extends ActionMap<InferEntity<F>>>(actions: NA) {
      return build(
        name,
        fields,
        { ...actionDefinitions, ...nameActions(name, actionDefinitions as object, actions) } as A & NA,
        generated,
      );
    },
    crud(operations: Partial<CrudOperations>) {
      return build(name, fields, actionDefinitions, {
        ...generated,
        crudOperations: Object.freeze({ ...generated.crudOperations, ...checkedOperations(name, operations) }),
      });
    },
    computeOnCreate(computed: ComputedOnCreate<InferEntity<F>>) {
      return build(name, fields, actionDefinitions, {
        ...generated,
        computedOnCreate: Object.freeze({ ...generated.computedOnCreate, ...checkedComputed(name, fields, computed) }),
      });
    },
    access(rules: AccessRules<FilterableRow<F>, Extract<keyof A, string>>) {
      const checked = checkedAccessRules(
        name,
        Object.keys(actionDefinitions as object),
        rules as unknown as AnyAccessRules,
      );
      return build(name, fields, actionDefinitions, {
        ...generated,
        accessRules: mergedAccessRules(generated.accessRules, checked),
      });
    },
  });
}

function checkedComputed<Row>(
  entityName: string,
  fields: FieldMap,
  computed: ComputedOnCreate<Row>,
): ComputedOnCreate<Row> {
  for (const [field, compute] of Object.entries(computed)) {
    if (!Object.hasOwn(fields, field))
      throw new WorkflowDefinitionError(
        `Entity "${entityName}": computeOnCreate names "${field}", which is not one of its fields`,
      );
    if (typeof compute !== "function")
      throw new WorkflowDefinitionError(`Entity "${entityName}": computeOnCreate's "${field}" must be a function`);
  }
  return computed;
}

function checkedOperations(entityName: string, operations: Partial<CrudOperations>): Partial<CrudOperations> {
  for (const [operation, on] of Object.entries(operations)) {
    if (!Object.hasOwn(ALL_CRUD, operation))
      throw new WorkflowDefinitionError(
        `Entity "${entityName}": crud() knows read, create, update and delete, not "${operation}"`,
      );
    if (typeof on !== "boolean")
      throw new WorkflowDefinitionError(`Entity "${entityName}": crud({ ${operation} }) must be true or false`);
  }
  return operations;
}

function assertFields(entityName: string, fields: FieldMap): void {
  if (typeof fields !== "object" || fields === null)
    throw new WorkflowDefinitionError(`Entity "${entityName}" needs a fields object`);
  for (const [fieldName, field] of Object.entries(fields)) {
    assertIdentifier(`Field (entity "${entityName}")`, fieldName);
    if (RESERVED_FIELDS.includes(fieldName)) {
      throw new WorkflowDefinitionError(
        `Entity "${entityName}": field "${fieldName}" is reserved (every entity has id, createdAt, updatedAt)`,
      );
    }
    if (!isField(field))
      throw new WorkflowDefinitionError(
        `Entity "${entityName}": field "${fieldName}" is not a field builder (string, int, …)`,
      );
    if ((field.isServerOnly || field.isHidden) && !field.isOptional && !field.hasDefault) {
      const modifier = field.isHidden ? "hidden" : "serverOnly";
      throw new WorkflowDefinitionError(
        `Entity "${entityName}": field "${fieldName}" is ${modifier}(), so clients cannot set it: give it .default() or .optional()`,
      );
    }
  }
}

function nameActions(
  entityName: string,
  existing: object,
  actions: Record<string, ActionDefinition<unknown, never, unknown, boolean>>,
): Record<string, unknown> {
  const named: Record<string, unknown> = {};
  for (const [actionName, definition] of Object.entries(actions)) {
    assertIdentifier(`Action (entity "${entityName}")`, actionName);
    // Own keys only: `in` would also see Object.prototype and reject actions named "toString" or "valueOf".
    if (Object.hasOwn(existing, actionName))
      throw new WorkflowDefinitionError(`Entity "${entityName}": action "${actionName}" is defined twice`);
    if (RESERVED_ACTIONS.includes(actionName)) {
      throw new WorkflowDefinitionError(
        `Entity "${entityName}": action "${actionName}" would clash with the generated ${entityName}${pascalCase(actionName)} mutation; choose another name`,
      );
    }
    if (definition?.kind !== "action")
      throw new WorkflowDefinitionError(`Entity "${entityName}": "${actionName}" is not an action() definition`);
    const { steps, options, initialData } = definition.workflow;
    named[actionName] = Object.freeze({
      ...definition,
      workflow: defineWorkflow(`${entityName}.${actionName}`, steps, options, initialData),
    });
  }
  return named;
}
