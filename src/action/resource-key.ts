/**
 * What a run of an action on a row holds until it ends, and what CRUD writes of that row check: the entity's
 * name keeps equal ids of different entities apart.
 */
export function resourceKey(entity: string, id: string): string {
  return `${entity}:${id}`;
}
