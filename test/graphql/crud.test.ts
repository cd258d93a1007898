import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CUSTOMER_A } from "../helpers/checkout-tokens.ts";
import { createCheckoutFixture, type CheckoutFixture } from "./checkout-fixture.ts";

const PRODUCT_FIELDS = "id sku name price stock createdAt updatedAt";

let app: CheckoutFixture;
beforeEach(async () => {
  app = await createCheckoutFixture();
});
afterEach(async () => {
  await app.close();
});

async function createProduct(data: Record<string, unknown>) {
  return app.gql(`mutation ($data: ProductCreateInput!) { productCreate(data: $data) { ${PRODUCT_FIELDS} } }`, {
    data,
  });
}

describe("CRUD mutations and queries", () => {
  it("creates a row and reads it back by id", async () => {
    const created = await createProduct({ sku: "KB-1", name: "Keyboard", price: 79.5, stock: 3 });
    expect(created.errors).toBeUndefined();
    const product = created.data!.productCreate;
    expect(product).toMatchObject({ sku: "KB-1", name: "Keyboard", price: 79.5, stock: 3 });
    expect(new Date(product.createdAt).getTime()).not.toBeNaN();

    const read = await app.gql(`query ($id: ID!) { product(id: $id) { ${PRODUCT_FIELDS} } }`, { id: product.id });
    expect(read).toEqual({ data: { product } });
  });

  it("fills in defaults and leaves optional fields null on create", async () => {
    await createProduct({ sku: "KB-1", name: "Keyboard", price: 2.5, stock: 1 });
    const result = await app.gql(
      `mutation { orderCreate(data: { items: "[{\\"sku\\": \\"KB-1\\", \\"quantity\\": 2}]" }) { total status shippingCountry chargeId shipmentId customerId } }`,
    );
    expect(result).toEqual({
      data: {
        orderCreate: {
          total: 5,
          status: "pending",
          shippingCountry: "US",
          chargeId: null,
          shipmentId: null,
          customerId: null,
        },
      },
    });
  });

  it("returns null for an unknown id without an error", async () => {
    expect(await app.gql(`{ product(id: "missing") { id } }`)).toEqual({ data: { product: null } });
  });

  it("updates only the fields given and clears optional fields with null", async () => {
    const order = await app.prisma.order.create({ data: { items: "[]", total: 5, customerId: CUSTOMER_A } });
    const result = await app.gql(
      `mutation ($id: ID!) { orderUpdate(id: $id, data: { total: 7.25, customerId: null }) { total customerId status } }`,
      { id: order.id },
    );
    expect(result).toEqual({ data: { orderUpdate: { total: 7.25, customerId: null, status: "pending" } } });
  });

  it("deletes a row and returns it as it was", async () => {
    const { data } = await createProduct({ sku: "KB-1", name: "Keyboard", price: 1, stock: 1 });
    const id = data!.productCreate.id;
    const deleted = await app.gql(`mutation ($id: ID!) { productDelete(id: $id) { id sku } }`, { id });
    expect(deleted).toEqual({ data: { productDelete: { id, sku: "KB-1" } } });
    expect(await app.prisma.product.count()).toBe(0);
  });
});

describe("CRUD refuses bad input with a coded error and changes nothing", () => {
  it("refuses a value of the wrong type", async () => {
    const result = await createProduct({ sku: "KB-1", name: "Keyboard", price: 1, stock: "three" });
    expect(result.data ?? null).toBeNull();
    expect(result.errors?.[0]?.message).toMatch(/stock.*Int/);
    expect(await app.prisma.product.count()).toBe(0);
  });

  it("refuses an Int outside 32 bits rather than truncating it", async () => {
    const result = await createProduct({ sku: "KB-1", name: "Keyboard", price: 1, stock: 2 ** 31 });
    expect(result.errors?.[0]?.message).toMatch(/Int cannot represent/);
    expect(await app.prisma.product.count()).toBe(0);
  });

  it("refuses a create without a required field", async () => {
    const result = await createProduct({ sku: "KB-1", price: 1, stock: 1 });
    expect(result.errors?.[0]?.message).toMatch(/name.*required/);
    expect(await app.prisma.product.count()).toBe(0);
  });

  it("refuses null for a required field on update", async () => {
    const product = await app.prisma.product.create({ data: { sku: "KB-1", name: "Keyboard", price: 1, stock: 1 } });
    const result = await app.gql(
      `mutation ($id: ID!) { productUpdate(id: $id, data: { name: null, stock: 9 }) { id } }`,
      { id: product.id },
    );
    expect(result.data).toEqual({ productUpdate: null });
    expect(result.errors?.[0]).toMatchObject({
      message: "name cannot be null",
      extensions: { code: "BAD_USER_INPUT", fields: ["name"] },
    });
    expect(await app.prisma.product.findUnique({ where: { id: product.id } })).toMatchObject({
      name: "Keyboard",
      stock: 1,
    });
  });

  it("refuses a duplicate unique value with CONFLICT on create", async () => {
    await createProduct({ sku: "KB-1", name: "Keyboard", price: 1, stock: 1 });
    const result = await createProduct({ sku: "KB-1", name: "Other", price: 2, stock: 2 });
    expect(result.data).toBeNull();
    expect(result.errors?.[0]).toMatchObject({
      message: "Another Product already has this sku",
      extensions: { code: "CONFLICT", fields: ["sku"] },
    });
    expect(await app.prisma.product.findMany({ select: { name: true } })).toEqual([{ name: "Keyboard" }]);
  });

  it("refuses a duplicate unique value with CONFLICT on update", async () => {
    await app.prisma.product.create({ data: { sku: "KB-1", name: "Keyboard", price: 1, stock: 1 } });
    const mouse = await app.prisma.product.create({ data: { sku: "MS-1", name: "Mouse", price: 1, stock: 1 } });
    const result = await app.gql(
      `mutation ($id: ID!) { productUpdate(id: $id, data: { sku: "KB-1", stock: 5 }) { id } }`,
      { id: mouse.id },
    );
    expect(result.data).toEqual({ productUpdate: null });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: "CONFLICT", fields: ["sku"] });
    expect(await app.prisma.product.findUnique({ where: { id: mouse.id } })).toMatchObject({ sku: "MS-1", stock: 1 });
  });

  it("answers update and delete of an unknown id with null and NOT_FOUND", async () => {
    await app.prisma.product.create({ data: { sku: "KB-1", name: "Keyboard", price: 1, stock: 1 } });
    for (const mutation of [`productUpdate(id: "missing", data: { stock: 5 })`, `productDelete(id: "missing")`]) {
      const result = await app.gql(`mutation { ${mutation} { id } }`);
      expect(Object.values(result.data!)).toEqual([null]);
      expect(result.errors?.[0]).toMatchObject({
        message: 'Product "missing" not found',
        extensions: { code: "NOT_FOUND", id: "missing" },
      });
    }
    expect(await app.prisma.product.findMany({ select: { stock: true } })).toEqual([{ stock: 1 }]);
  });

  it("refuses a field the entity does not have", async () => {
    const result = await createProduct({ sku: "KB-1", name: "Keyboard", price: 1, stock: 1, colour: "red" });
    expect(result.errors?.[0]?.message).toMatch(/colour.*not defined/);
    expect(await app.prisma.product.count()).toBe(0);
  });
});
