import { pascalCase } from "../entity/names.ts";

/** The GraphQL names one entity produces; clients depend on their shape (`order` → `orders`, `orderCreate`, …). */
export interface EntityNames {
  /** `Order` */
  type: string;
  /** `order` */
  single: string;
  /** `orders` */
  list: string;
  create: string;
  update: string;
  delete: string;
}

export function entityNames(entity: { name: string; typeName: string }): EntityNames {
  return {
    type: entity.typeName,
    single: entity.name,
    list: pluralize(entity.name),
    create: `${entity.name}Create`,
    update: `${entity.name}Update`,
    delete: `${entity.name}Delete`,
  };
}

/** `order` + `checkout` → `orderCheckout`; its types are `OrderCheckoutInput`, `…Success`, `…Result`. */
export function actionFieldName(entityName: string, actionName: string): string {
  return `${entityName}${pascalCase(actionName)}`;
}

/**
 * English plural of a camelCase name, for the list query. Deliberately small: the rules that cover
 * regular nouns; an irregular one still gets a valid, distinct name (`person` → `persons`).
 */
export function pluralize(name: string): string {
  if (/[^aeiou]y$/.test(name)) return `${name.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(name)) return `${name}es`;
  return `${name}s`;
}
