import type { FieldMap } from "../entity/infer.ts";
import type { Row } from "../engine/definition/driver.ts";
import type { InputObjectRef } from "@pothos/core";
import type { Builder, Types } from "./builder.ts";
import { FILTER_OF, type FilterRefs, type SortOrderRef } from "./filters.ts";
import { entityInputFields } from "./input-fields.ts";

/** An implemented input object whose fields are only known at run time. */
export type InputRef = InputObjectRef<Types, Row>;

export interface EntityInputs {
  where: InputRef;
  orderBy: InputRef;
  create: InputRef;
  update: InputRef;
}

interface EntityLike {
  typeName: string;
  fields: FieldMap;
  computedOnCreate?: object;
}

/**
 * `OrderWhereInput`, `OrderOrderByInput`, `OrderCreateInput`, `OrderUpdateInput`. A `.hidden()` field is in
 * none of them, so a client cannot even probe its value with a filter; a `.serverOnly()` one can be filtered
 * and sorted on but is in neither write input.
 */
export function addEntityInputs(
  builder: Builder,
  entity: EntityLike,
  filters: FilterRefs,
  sortOrder: SortOrderRef,
): EntityInputs {
  const visible = { ...entity, fields: pick(entity.fields, (field) => !field.isHidden) };
  const writable = pick(visible.fields, (field) => !field.isServerOnly);
  return {
    where: addWhereInput(builder, visible, filters),
    orderBy: addOrderByInput(builder, visible, sortOrder),
    create: builder.inputRef<Row>(`${entity.typeName}CreateInput`).implement({
      fields: (t) => entityInputFields(t, writable, "create", new Set(Object.keys(entity.computedOnCreate ?? {}))),
    }),
    update: builder.inputRef<Row>(`${entity.typeName}UpdateInput`).implement({
      description: "Only the fields given change.",
      fields: (t) => entityInputFields(t, writable, "update"),
    }),
  };
}

function pick(fields: FieldMap, keep: (field: FieldMap[string]) => boolean): FieldMap {
  return Object.fromEntries(Object.entries(fields).filter(([, field]) => keep(field)));
}

function addWhereInput(builder: Builder, entity: EntityLike, filters: FilterRefs): InputRef {
  const ref = builder.inputRef<Row>(`${entity.typeName}WhereInput`);
  ref.implement({
    description: `Conditions on ${entity.typeName} rows; all that are given must hold.`,
    fields: (t) => {
      const fields: Record<string, ReturnType<typeof t.boolean>> = {
        AND: t.field({ type: [ref], required: { list: false, items: true }, description: "Every one of these holds." }),
        OR: t.field({
          type: [ref],
          required: { list: false, items: true },
          description: "At least one of these holds.",
        }),
        NOT: t.field({ type: ref, required: false, description: "This does not hold." }),
        id: t.field({ type: filters.ID, required: false }),
        createdAt: t.field({ type: filters.DateTime, required: false }),
        updatedAt: t.field({ type: filters.DateTime, required: false }),
      } as Record<string, ReturnType<typeof t.boolean>>;
      for (const [name, field] of Object.entries(entity.fields)) {
        const filter = field.references ? "ID" : FILTER_OF[field.kind];
        if (filter) fields[name] = t.field({ type: filters[filter], required: false }) as ReturnType<typeof t.boolean>;
      }
      return fields;
    },
  });
  return ref;
}

function addOrderByInput(builder: Builder, entity: EntityLike, sortOrder: SortOrderRef): InputRef {
  const sortable = [
    "id",
    "createdAt",
    "updatedAt",
    ...Object.entries(entity.fields)
      .filter(([, f]) => f.kind !== "json")
      .map(([name]) => name),
  ];
  return builder.inputRef<Row>(`${entity.typeName}OrderByInput`).implement({
    description: "Set exactly one field per list element; earlier elements sort first. Ties end in id order.",
    fields: (t) =>
      Object.fromEntries(sortable.map((name) => [name, t.field({ type: sortOrder, required: false })])) as Record<
        string,
        ReturnType<typeof t.boolean>
      >,
  });
}
