import { GraphQLError } from "graphql";
import type { ResolvedRelation } from "../entity/check-relations.ts";
import type { Row } from "../engine/definition/driver.ts";
import { badUserInput } from "./crud-errors.ts";
import type { GraphQLPrismaClient } from "./prisma-client.ts";

/** What a CRUD mutation checks of an entity's relations, and how it reads the database's refusals of them. */
export interface RelationGuard {
  /** Refuses (`BAD_USER_INPUT`) foreign keys in `data` that name no row, before anything is written. */
  checkReferences(data: Row): Promise<void>;
  /** Refuses (`CONFLICT`) deleting a row that rows of a restricting relation point at. */
  checkDelete(id: string): Promise<void>;
  /** Turns the database's foreign key refusal, for a write that raced the checks, into the same errors. */
  translate(error: unknown, operation: "write" | "delete", id: string | undefined): void;
}

interface CountDelegate {
  count(args: Row): Promise<number>;
}

export function conflictingReferences(
  typeName: string,
  id: string,
  relation: ResolvedRelation,
  count: number,
): GraphQLError {
  const where = `${relation.child.name}.${relation.field}`;
  return new GraphQLError(
    `${typeName} "${id}" cannot be deleted: ${count} ${relation.child.typeName} row(s) point at it through ${where}; delete or repoint them first, nothing changed`,
    { extensions: { code: "CONFLICT", id, relation: where } },
  );
}

/**
 * The guard of one entity: its own `belongsTo` foreign keys (as the child) and the restricting relations that
 * point at it (as the parent). Checking first gives errors naming the field and the relation; the database's
 * foreign keys still decide when a concurrent write slips between the check and the write.
 */
export function relationGuard(
  prisma: GraphQLPrismaClient,
  entity: { name: string; typeName: string },
  relations: readonly ResolvedRelation[],
): RelationGuard | undefined {
  const owned = relations.filter((r) => r.child.name === entity.name);
  const restricting = relations.filter((r) => r.parent.name === entity.name && r.onDelete === "restrict");
  if (owned.length === 0 && relations.every((r) => r.parent.name !== entity.name)) return undefined;
  const delegate = (name: string) => (prisma as unknown as Record<string, CountDelegate>)[name]!;
  return {
    async checkReferences(data) {
      const problems: Array<{ field: string; message: string }> = [];
      for (const relation of owned) {
        const value = data[relation.foreignKey];
        if (value === null || value === undefined) continue;
        if ((await delegate(relation.parent.name).count({ where: { id: String(value) } })) === 0) {
          problems.push({
            field: relation.foreignKey,
            message: `names no ${relation.parent.typeName} (no ${relation.parent.typeName} has id ${JSON.stringify(value)})`,
          });
        }
      }
      if (problems.length > 0) {
        throw badUserInput(`Invalid data: ${problems.map((p) => `${p.field} ${p.message}`).join("; ")}`, {
          fields: problems.map((p) => p.field),
          problems,
        });
      }
    },
    async checkDelete(id) {
      for (const relation of restricting) {
        const count = await delegate(relation.child.name).count({ where: { [relation.foreignKey]: id } });
        if (count > 0) throw conflictingReferences(entity.typeName, id, relation, count);
      }
    },
    translate(error, operation, id) {
      if ((error as { code?: unknown } | null)?.code !== "P2003") return;
      if (operation === "write")
        throw badUserInput(`Invalid data: a foreign key names no row (${owned.map((r) => r.foreignKey).join(", ")})`, {
          fields: owned.map((r) => r.foreignKey),
        });
      throw new GraphQLError(
        `${entity.typeName} "${id}" cannot be deleted: other rows point at it; delete or repoint them first, nothing changed`,
        { extensions: { code: "CONFLICT", id } },
      );
    },
  };
}
