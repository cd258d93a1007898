import type { RequestContext } from "../entity/define-action.ts";
import type { CrudOperations } from "../entity/define-entity.ts";
import type { FieldMap } from "../entity/infer.ts";
import type { Row } from "../engine/definition/driver.ts";
import { createAllowed, deleteAllowed, readList, readOne, updateAllowed, type CrudAccess } from "./access-filter.ts";
import type { Builder } from "./builder.ts";
import { resourceBusy, translateWriteError } from "./crud-errors.ts";
import type { EntityInputs } from "./entity-inputs.ts";
import type { EntityTypeRef } from "./entity-type.ts";
import { prismaListArgs, type ListArgs, type PaginationOptions } from "./list-args.ts";
import type { EntityNames } from "./names.ts";
import type { ModelDelegate } from "./prisma-client.ts";
import type { RelationGuard } from "./relation-guard.ts";
import type { RelationFilter } from "./relation-filters.ts";
import type { ReadScopes } from "./read-scopes.ts";
import { createData, updateData } from "./write-data.ts";

export interface CrudTarget {
  fields: FieldMap;
  names: EntityNames;
  type: EntityTypeRef;
  inputs: EntityInputs;
  delegate: ModelDelegate;
  /**
   * The run holding the row with this id, if any: an update or delete of a row an action's run holds is refused,
   * since the run read it at its start and would act on a row that is no longer there or no longer the same.
   * @default nothing is held
   */
  holder?: (id: string) => Promise<string | null>;
  /** Computes the server's values of a create (`entity.computeOnCreate`). @default nothing is computed */
  computeOnCreate?: (data: Row, request: RequestContext) => Promise<Row>;
  /** Foreign keys checked on writes, restricting relations on deletes. @default the entity has no relations */
  relations?: RelationGuard;
  /** The relation filters of `where` (`trips: { some: … }`). @default none */
  relationFilters?: Record<string, RelationFilter>;
  /** The entity's access rules, applied to every query and mutation here. */
  access: CrudAccess;
  /** Every entity's read scope for a request, which limits what the relation filters of `where` can match. @default every row readable */
  readScopes?: (request: RequestContext) => Promise<ReadScopes>;
}

/**
 * `order(id)` and `orders(where, orderBy, take, skip)`. Both spread Pothos's `query` into the Prisma call,
 * so the selection follows what the client asked for. An unknown id is a plain null: asking is not an error.
 */
export function addCrudQueries(builder: Builder, target: CrudTarget, pagination: PaginationOptions): void {
  const { names, type, inputs, fields, access } = target;
  builder.queryField(names.single, (t) =>
    t.prismaField({
      type,
      nullable: true,
      description: `The ${names.type} with this id, or null when there is none.`,
      args: { id: t.arg.id({ required: true }) },
      resolve: (query, _root, args, context) => readOne(access, query, String(args.id), context.request),
    }),
  );
  builder.queryField(names.list, (t) =>
    t.prismaField({
      type: [type],
      description: `${names.type} rows matching \`where\`, in \`orderBy\` order (default: oldest first), a page at a time.`,
      args: {
        where: t.arg({ type: inputs.where }),
        orderBy: t.arg({ type: [inputs.orderBy], required: { list: false, items: true } }),
        take: t.arg.int({
          description: `At most this many rows (default ${pagination.defaultTake ?? 50}, at most ${pagination.maxTake ?? 200}).`,
        }),
        skip: t.arg.int({ description: "Leave out this many rows first." }),
      },
      resolve: async (query, _root, args, context) => {
        const scopes = await target.readScopes?.(context.request);
        return readList(
          access,
          query,
          prismaListArgs(fields, args as ListArgs, pagination, target.relationFilters, scopes),
          context.request,
        );
      },
    }),
  );
}

/**
 * `orderCreate`, `orderUpdate`, `orderDelete`. A refused write (bad input, a taken unique value, an unknown
 * id) is a GraphQL error with `extensions.code`; update and delete then return null, create fails the
 * whole mutation (its result is non-null).
 */
export function addCrudMutations(builder: Builder, target: CrudTarget, operations: Omit<CrudOperations, "read">): void {
  const { names } = target;
  const free = async (id: string) => {
    if (target.holder && (await target.holder(id)) !== null) throw resourceBusy(names.type, id);
  };
  if (operations.create) addCreate(builder, target);
  if (operations.update) addUpdate(builder, target, free);
  if (operations.delete) addDelete(builder, target, free);
}

function addCreate(builder: Builder, target: CrudTarget): void {
  const { names, type, inputs, fields, access } = target;
  builder.mutationField(names.create, (t) =>
    t.prismaField({
      type,
      description: `Creates one ${names.type}. Errors: CONFLICT when a unique field's value is taken, BAD_USER_INPUT, FORBIDDEN outside the entity's access rules.`,
      args: { data: t.arg({ type: inputs.create, required: true }) },
      resolve: async (query, _root, args, context) => {
        const given = createData(fields, args.data);
        const data = target.computeOnCreate
          ? createData(fields, await target.computeOnCreate(given, context.request))
          : given;
        await target.relations?.checkReferences(data);
        return write(
          names.type,
          undefined,
          () => createAllowed(access, query, data, context.request),
          target.relations,
        );
      },
    }),
  );
}

function addUpdate(builder: Builder, target: CrudTarget, free: (id: string) => Promise<void>): void {
  const { names, type, inputs, fields, access } = target;
  builder.mutationField(names.update, (t) =>
    t.prismaField({
      type,
      nullable: true,
      description: `Changes the fields given. Errors: NOT_FOUND for an unknown id, CONFLICT, BAD_USER_INPUT, RESOURCE_BUSY while an action's run holds the row, FORBIDDEN outside the entity's access rules.`,
      args: { id: t.arg.id({ required: true }), data: t.arg({ type: inputs.update, required: true }) },
      resolve: async (query, _root, args, context) => {
        const id = String(args.id);
        const data = updateData(fields, args.data);
        await free(id);
        await target.relations?.checkReferences(data);
        return write(names.type, id, () => updateAllowed(access, query, id, data, context.request), target.relations);
      },
    }),
  );
}

function addDelete(builder: Builder, target: CrudTarget, free: (id: string) => Promise<void>): void {
  const { names, type, access } = target;
  builder.mutationField(names.delete, (t) =>
    t.prismaField({
      type,
      nullable: true,
      description: `Deletes the ${names.type} and returns it as it was. Errors: NOT_FOUND for an unknown id, RESOURCE_BUSY while an action's run holds the row, FORBIDDEN outside the entity's access rules.`,
      args: { id: t.arg.id({ required: true }) },
      resolve: async (query, _root, args, context) => {
        const id = String(args.id);
        await free(id);
        await target.relations?.checkDelete(id);
        return write(
          names.type,
          id,
          () => deleteAllowed(access, query, id, context.request),
          target.relations,
          "delete",
        );
      },
    }),
  );
}

async function write(
  typeName: string,
  id: string | undefined,
  run: () => Promise<Row>,
  relations?: RelationGuard,
  operation: "write" | "delete" = "write",
): Promise<Row> {
  try {
    return await run();
  } catch (error) {
    relations?.translate(error, operation, id);
    translateWriteError(error, typeName, id);
  }
}
