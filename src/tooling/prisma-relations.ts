import type { ResolvedRelation } from "../entity/check-relations.ts";

/** Extra lines of one Prisma model: relation fields (name, type, attributes) and block attributes. */
export interface ModelRelations {
  rows: Array<[string, string, string]>;
  blocks: string[];
}

const ON_DELETE = { restrict: "Restrict", cascade: "Cascade", setNull: "SetNull" } as const;

/**
 * The Prisma side of each relation: on the child, the relation field over its foreign key with the
 * `onDelete` action and an index on the key (lists of a parent's children and the restrict check read by it);
 * on the parent, the list field Prisma requires on both sides. A `belongsTo` no `hasMany` lists still gets one,
 * named `<child>_<field>`: underscores are not allowed in entity field names, so it never clashes, and the API
 * never shows it.
 */
export function prismaRelations(relations: readonly ResolvedRelation[]): Map<string, ModelRelations> {
  const models = new Map<string, ModelRelations>();
  const of = (typeName: string) => {
    let model = models.get(typeName);
    if (!model) models.set(typeName, (model = { rows: [], blocks: [] }));
    return model;
  };
  for (const relation of relations) {
    const { child, parent, field, foreignKey, name } = relation;
    const references = `@relation(${JSON.stringify(name)}, fields: [${foreignKey}], references: [id], onDelete: ${ON_DELETE[relation.onDelete]})`;
    of(child.typeName).rows.push([field, `${parent.typeName}${relation.isOptional ? "?" : ""}`, references]);
    of(child.typeName).blocks.push(`@@index([${foreignKey}])`);
    of(parent.typeName).rows.push([
      relation.listField ?? `${child.name}_${field}`,
      `${child.typeName}[]`,
      `@relation(${JSON.stringify(name)})`,
    ]);
  }
  return models;
}
