import type { Row } from "../engine/definition/driver.ts";

/**
 * The app's generated `PrismaClient`, typed by shape only: the GraphQL layer works for any set of entities,
 * so it cannot name the generated class. Each entity is read through its model delegate (`prisma.order`).
 */
export interface GraphQLPrismaClient {
  $connect(): Promise<void>;
}

/** What the GraphQL layer calls on a model delegate (`prisma.order`); `args` carry Pothos's selection. */
export interface ModelDelegate {
  findUnique(args: Row): Promise<Row | null>;
  findMany(args: Row): Promise<Row[]>;
  create(args: Row): Promise<Row>;
  update(args: Row): Promise<Row>;
  delete(args: Row): Promise<Row>;
}

/** The output of the generated Pothos types' `getDatamodel()`. */
export interface PrismaDatamodel {
  datamodel: unknown;
}

const REGENERATE = "regenerate the Prisma client and Pothos types from the current entity definitions";

/**
 * Fails at schema build time, not on the first request, when the generated datamodel is not the entities':
 * a model or one of its columns is missing (an entity changed since the last `prisma generate`).
 */
export function assertModelMatches(
  datamodel: PrismaDatamodel,
  entity: { name: string; typeName: string; fields: object; relations?: object },
): void {
  const models =
    (datamodel.datamodel as { models?: Record<string, { fields?: Array<{ name: string }> }> } | null)?.models ?? {};
  const model = models[entity.typeName];
  if (!model)
    throw new Error(
      `The Prisma datamodel has no model "${entity.typeName}" for entity "${entity.name}": ${REGENERATE}`,
    );
  const columns = new Set((model.fields ?? []).map((field) => field.name));
  // A relation is a field of the model too (`customer`, `trips`), beside its foreign key column.
  const missing = [...Object.keys(entity.fields), ...Object.keys(entity.relations ?? {})].filter(
    (field) => !columns.has(field),
  );
  if (missing.length > 0)
    throw new Error(`The Prisma model "${entity.typeName}" lacks ${missing.join(", ")}: ${REGENERATE}`);
}

/** Fails at schema build time when the client was generated for other entities. */
export function modelDelegate(prisma: GraphQLPrismaClient, entityName: string): ModelDelegate {
  const delegate = (prisma as unknown as Record<string, unknown>)[entityName];
  if (typeof delegate !== "object" || delegate === null || typeof (delegate as ModelDelegate).findMany !== "function") {
    throw new Error(`The Prisma client has no model for entity "${entityName}": ${REGENERATE}`);
  }
  return delegate as ModelDelegate;
}
