/**
 * Entity, field and action names become GraphQL and Prisma names, so the DSL rejects, when the entity is
 * defined, anything that would break them: bad identifiers, reserved fields, clashing or duplicate actions.
 */
import { describe, expect, test } from "vitest";
import {
  action,
  entity,
  int,
  step,
  string,
  WorkflowDefinitionError,
  type ActionDefinition,
  type FieldMap,
} from "../../src/index.ts";

const noop = () => undefined;
const ping = () => action().workflow([step("ping", noop)]);

/** Bypasses the compile-time checks, the way plain JavaScript callers would. */
function loose<T>(value: unknown): T {
  return value as T;
}

describe("entity definition errors", () => {
  test.each(["Order", "order-item", "order_item", "1order", "", "order item"])("rejects the entity name %j", (name) => {
    expect(() => entity(name, { title: string })).toThrow(
      new WorkflowDefinitionError(
        `Entity name ${JSON.stringify(name)} must be camelCase: a lowercase letter, then letters or digits`,
      ),
    );
  });

  test("rejects a non-string entity name", () => {
    expect(() => entity(loose<string>(42), { title: string })).toThrow(/Entity name 42 must be camelCase/);
  });

  test("accepts camelCase entity names", () => {
    expect(entity("orderItem", { sku: string }).typeName).toBe("OrderItem");
    expect(entity("v2order", { sku: string }).typeName).toBe("V2order");
  });

  test.each(["First", "first_name", "first-name", "2nd"])("rejects the field name %j, naming the entity", (field) => {
    expect(() => entity("user", { [field]: string })).toThrow(
      new WorkflowDefinitionError(
        `Field (entity "user") name ${JSON.stringify(field)} must be camelCase: a lowercase letter, then letters or digits`,
      ),
    );
  });

  test.each(["id", "createdAt", "updatedAt"])("rejects the reserved field name %s", (field) => {
    expect(() => entity("user", { [field]: string })).toThrow(
      new WorkflowDefinitionError(
        `Entity "user": field "${field}" is reserved (every entity has id, createdAt, updatedAt)`,
      ),
    );
  });

  test.each([
    { value: "string", shown: "a string" },
    { value: { kind: "string" }, shown: "a look-alike object" },
    { value: null, shown: "null" },
  ])("rejects a field value that is not a field builder ($shown)", ({ value }) => {
    expect(() => entity("user", loose<FieldMap>({ name: value }))).toThrow(
      new WorkflowDefinitionError('Entity "user": field "name" is not a field builder (string, int, …)'),
    );
  });

  test("rejects a missing fields object", () => {
    expect(() => entity("user", loose<FieldMap>(null))).toThrow(/Entity "user" needs a fields object/);
  });

  test.each(["Checkout", "check-out", "check_out", ""])("rejects the action name %j", (name) => {
    expect(() => entity("order", { total: int }).actions({ [name]: ping() })).toThrow(
      new WorkflowDefinitionError(
        `Action (entity "order") name ${JSON.stringify(name)} must be camelCase: a lowercase letter, then letters or digits`,
      ),
    );
  });

  test("rejects an action defined twice across actions() calls", () => {
    const order = entity("order", { total: int }).actions({ checkout: ping() });

    expect(() => order.actions({ checkout: ping() })).toThrow(
      new WorkflowDefinitionError('Entity "order": action "checkout" is defined twice'),
    );
  });

  test.each(["create", "update", "delete"])(
    "rejects the action name %s, which would clash with a generated CRUD mutation",
    (name) => {
      expect(() => entity("order", { total: int }).actions({ [name]: ping() })).toThrow(
        /action ".+" would clash with the generated order(Create|Update|Delete) mutation/,
      );
    },
  );

  test.each(["toString", "valueOf", "constructor", "hasOwnProperty"])(
    "accepts the action name %s, which only Object.prototype has",
    (name) => {
      const order = entity("order", { total: int }).actions({ [name]: ping() });

      expect(Object.keys(order.actionDefinitions)).toEqual([name]);
    },
  );

  test("rejects an action value that is not an action() definition", () => {
    expect(() =>
      entity("order", { total: int }).actions({ checkout: loose<ActionDefinition>({ workflow: [] }) }),
    ).toThrow(new WorkflowDefinitionError('Entity "order": "checkout" is not an action() definition'));
    expect(() =>
      entity("order", { total: int }).actions({ checkout: loose<ActionDefinition>([step("a", noop)]) }),
    ).toThrow(/is not an action\(\) definition/);
  });

  test("rejects action input fields that are not field builders", () => {
    expect(() => action().input(loose<FieldMap>({ paymentMethodId: "string" }))).toThrow(
      new WorkflowDefinitionError('Input field "paymentMethodId" is not a field builder (string, int, …)'),
    );
  });

  test("rejects a broken action workflow when the action is defined", () => {
    expect(() => action().workflow([])).toThrow(/has no steps/);
    expect(() => action().workflow([step("a", noop), step("a", noop)])).toThrow(/duplicate step name "a"/);
  });
});

describe("access rules", () => {
  const base = () =>
    entity("order", { total: int }).actions({ checkout: action().workflow([step("s", async () => ({}))]) });

  test("name only the operations there are", () => {
    expect(() => base().access(loose({ list: () => true }))).toThrow(
      /access\(\) knows read, create, update, delete and actions, not "list"/,
    );
    expect(() => base().access(loose({ read: true }))).toThrow(/access rule "read" must be a function/);
  });

  test("name only the entity's actions, defined before the rules", () => {
    expect(() => base().access(loose({ actions: { refund: () => true } }))).toThrow(
      /action "refund", which it does not have/,
    );
    expect(() => entity("order", { total: int }).access(loose({ actions: { checkout: () => true } }))).toThrow(
      /define actions before access/,
    );
  });

  test("given twice, keep the earlier operations the later call does not name", () => {
    const ruled = base()
      .access({ read: () => false })
      .access({ update: () => true, actions: { checkout: () => true } });
    expect(Object.keys(ruled.accessRules ?? {}).sort()).toEqual(["actions", "read", "update"]);
  });
});
