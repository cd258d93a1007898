import { WorkflowDefinitionError } from "../engine/errors.ts";

const IDENTIFIER = /^[a-z][A-Za-z0-9]*$/;

/** Columns every entity has; a field may not take their names. */
export const RESERVED_FIELDS: readonly string[] = ["id", "createdAt", "updatedAt"];

/** Action `x` becomes the mutation `<entity>X`; these would collide with the generated CRUD mutations. */
export const RESERVED_ACTIONS: readonly string[] = ["create", "update", "delete"];

/** Entity, field and action names become GraphQL and Prisma names, so they must be plain camelCase identifiers. */
export function assertIdentifier(kind: string, name: unknown): asserts name is string {
  if (typeof name !== "string" || !IDENTIFIER.test(name)) {
    throw new WorkflowDefinitionError(
      `${kind} name ${JSON.stringify(name)} must be camelCase: a lowercase letter, then letters or digits`,
    );
  }
}

export function pascalCase(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
