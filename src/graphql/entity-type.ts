import type { FieldMap } from "../entity/infer.ts";
import type { Row } from "../engine/definition/driver.ts";
import type { Builder } from "./builder.ts";
import { SCALAR_OF, type ScalarName } from "./scalars.ts";

export type EntityTypeRef = ReturnType<typeof addEntityType>;

/**
 * The object type of an entity, backed by its Prisma model: `id`, `createdAt`, `updatedAt` and every field
 * but the `.hidden()` ones, nullable exactly when the field is `.optional()`. Rows are typed as plain records (the models are only
 * known at run time), so columns are read by name rather than through the typed `t.expose*` helpers.
 */
export function addEntityType(builder: Builder, entity: { typeName: string; fields: FieldMap }) {
  return builder.prismaObject(entity.typeName, {
    fields: (t) => {
      const column = (name: string, type: ScalarName | "ID", nullable: boolean) =>
        t.field({ type: type as "JSON", nullable, resolve: (row: Row) => row[name] });
      const fields: Record<string, ReturnType<typeof column>> = {
        id: column("id", "ID", false),
        createdAt: column("createdAt", "DateTime", false),
        updatedAt: column("updatedAt", "DateTime", false),
      };
      for (const [name, field] of Object.entries(entity.fields)) {
        // A belongsTo's foreign key holds another row's id.
        if (!field.isHidden)
          fields[name] = column(name, field.references ? "ID" : SCALAR_OF[field.kind], field.isOptional);
      }
      return fields;
    },
  });
}
