/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query CustomerOrders($id: ID!) {\n  customer(id: $id) {\n    id\n    name\n    orders(orderBy: {createdAt: DESC}) {\n      id\n      status\n      total\n    }\n  }\n}": typeof types.CustomerOrdersDocument,
    "mutation OrderCheckout($id: ID!, $input: OrderCheckoutInput!, $idempotencyKey: String) {\n  orderCheckout(id: $id, input: $input, idempotencyKey: $idempotencyKey) {\n    __typename\n    ... on OrderCheckoutSuccess {\n      result\n      runId\n      replayed\n      order {\n        ...OrderFields\n      }\n    }\n    ... on WorkflowError {\n      message\n      code\n      failedStep\n      compensatedSteps\n      runId\n    }\n    ... on StepFailedError {\n      causeCode\n      attempts\n      uncompensatedSteps\n    }\n    ... on CompensationFailedError {\n      causeCode\n      failedCompensations {\n        step\n        message\n      }\n    }\n    ... on ValidationError {\n      problems {\n        field\n        message\n      }\n    }\n    ... on NotFoundError {\n      entity\n      resourceId\n    }\n    ... on RunInProgressError {\n      idempotencyKey\n    }\n    ... on IdempotencyConflictError {\n      idempotencyKey\n      mismatch\n    }\n  }\n}": typeof types.OrderCheckoutDocument,
    "fragment OrderFields on Order {\n  id\n  items\n  total\n  status\n  shippingCountry\n  chargeId\n  shipmentId\n}\n\nmutation OrderCreate($data: OrderCreateInput!) {\n  orderCreate(data: $data) {\n    ...OrderFields\n  }\n}\n\nquery Order($id: ID!) {\n  order(id: $id) {\n    ...OrderFields\n  }\n}": typeof types.OrderFieldsFragmentDoc,
    "query Products {\n  products(orderBy: {price: ASC}) {\n    id\n    sku\n    name\n    price\n    stock\n  }\n}": typeof types.ProductsDocument,
    "query WorkflowRun($id: ID!) {\n  workflowRun(id: $id) {\n    id\n    workflow\n    status\n    failedStep\n    error\n    rolledBack\n    steps {\n      name\n      status\n      attempts\n      error\n      errorCode\n    }\n  }\n}": typeof types.WorkflowRunDocument,
};
const documents: Documents = {
    "query CustomerOrders($id: ID!) {\n  customer(id: $id) {\n    id\n    name\n    orders(orderBy: {createdAt: DESC}) {\n      id\n      status\n      total\n    }\n  }\n}": types.CustomerOrdersDocument,
    "mutation OrderCheckout($id: ID!, $input: OrderCheckoutInput!, $idempotencyKey: String) {\n  orderCheckout(id: $id, input: $input, idempotencyKey: $idempotencyKey) {\n    __typename\n    ... on OrderCheckoutSuccess {\n      result\n      runId\n      replayed\n      order {\n        ...OrderFields\n      }\n    }\n    ... on WorkflowError {\n      message\n      code\n      failedStep\n      compensatedSteps\n      runId\n    }\n    ... on StepFailedError {\n      causeCode\n      attempts\n      uncompensatedSteps\n    }\n    ... on CompensationFailedError {\n      causeCode\n      failedCompensations {\n        step\n        message\n      }\n    }\n    ... on ValidationError {\n      problems {\n        field\n        message\n      }\n    }\n    ... on NotFoundError {\n      entity\n      resourceId\n    }\n    ... on RunInProgressError {\n      idempotencyKey\n    }\n    ... on IdempotencyConflictError {\n      idempotencyKey\n      mismatch\n    }\n  }\n}": types.OrderCheckoutDocument,
    "fragment OrderFields on Order {\n  id\n  items\n  total\n  status\n  shippingCountry\n  chargeId\n  shipmentId\n}\n\nmutation OrderCreate($data: OrderCreateInput!) {\n  orderCreate(data: $data) {\n    ...OrderFields\n  }\n}\n\nquery Order($id: ID!) {\n  order(id: $id) {\n    ...OrderFields\n  }\n}": types.OrderFieldsFragmentDoc,
    "query Products {\n  products(orderBy: {price: ASC}) {\n    id\n    sku\n    name\n    price\n    stock\n  }\n}": types.ProductsDocument,
    "query WorkflowRun($id: ID!) {\n  workflowRun(id: $id) {\n    id\n    workflow\n    status\n    failedStep\n    error\n    rolledBack\n    steps {\n      name\n      status\n      attempts\n      error\n      errorCode\n    }\n  }\n}": types.WorkflowRunDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query CustomerOrders($id: ID!) {\n  customer(id: $id) {\n    id\n    name\n    orders(orderBy: {createdAt: DESC}) {\n      id\n      status\n      total\n    }\n  }\n}"): (typeof documents)["query CustomerOrders($id: ID!) {\n  customer(id: $id) {\n    id\n    name\n    orders(orderBy: {createdAt: DESC}) {\n      id\n      status\n      total\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation OrderCheckout($id: ID!, $input: OrderCheckoutInput!, $idempotencyKey: String) {\n  orderCheckout(id: $id, input: $input, idempotencyKey: $idempotencyKey) {\n    __typename\n    ... on OrderCheckoutSuccess {\n      result\n      runId\n      replayed\n      order {\n        ...OrderFields\n      }\n    }\n    ... on WorkflowError {\n      message\n      code\n      failedStep\n      compensatedSteps\n      runId\n    }\n    ... on StepFailedError {\n      causeCode\n      attempts\n      uncompensatedSteps\n    }\n    ... on CompensationFailedError {\n      causeCode\n      failedCompensations {\n        step\n        message\n      }\n    }\n    ... on ValidationError {\n      problems {\n        field\n        message\n      }\n    }\n    ... on NotFoundError {\n      entity\n      resourceId\n    }\n    ... on RunInProgressError {\n      idempotencyKey\n    }\n    ... on IdempotencyConflictError {\n      idempotencyKey\n      mismatch\n    }\n  }\n}"): (typeof documents)["mutation OrderCheckout($id: ID!, $input: OrderCheckoutInput!, $idempotencyKey: String) {\n  orderCheckout(id: $id, input: $input, idempotencyKey: $idempotencyKey) {\n    __typename\n    ... on OrderCheckoutSuccess {\n      result\n      runId\n      replayed\n      order {\n        ...OrderFields\n      }\n    }\n    ... on WorkflowError {\n      message\n      code\n      failedStep\n      compensatedSteps\n      runId\n    }\n    ... on StepFailedError {\n      causeCode\n      attempts\n      uncompensatedSteps\n    }\n    ... on CompensationFailedError {\n      causeCode\n      failedCompensations {\n        step\n        message\n      }\n    }\n    ... on ValidationError {\n      problems {\n        field\n        message\n      }\n    }\n    ... on NotFoundError {\n      entity\n      resourceId\n    }\n    ... on RunInProgressError {\n      idempotencyKey\n    }\n    ... on IdempotencyConflictError {\n      idempotencyKey\n      mismatch\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment OrderFields on Order {\n  id\n  items\n  total\n  status\n  shippingCountry\n  chargeId\n  shipmentId\n}\n\nmutation OrderCreate($data: OrderCreateInput!) {\n  orderCreate(data: $data) {\n    ...OrderFields\n  }\n}\n\nquery Order($id: ID!) {\n  order(id: $id) {\n    ...OrderFields\n  }\n}"): (typeof documents)["fragment OrderFields on Order {\n  id\n  items\n  total\n  status\n  shippingCountry\n  chargeId\n  shipmentId\n}\n\nmutation OrderCreate($data: OrderCreateInput!) {\n  orderCreate(data: $data) {\n    ...OrderFields\n  }\n}\n\nquery Order($id: ID!) {\n  order(id: $id) {\n    ...OrderFields\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Products {\n  products(orderBy: {price: ASC}) {\n    id\n    sku\n    name\n    price\n    stock\n  }\n}"): (typeof documents)["query Products {\n  products(orderBy: {price: ASC}) {\n    id\n    sku\n    name\n    price\n    stock\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query WorkflowRun($id: ID!) {\n  workflowRun(id: $id) {\n    id\n    workflow\n    status\n    failedStep\n    error\n    rolledBack\n    steps {\n      name\n      status\n      attempts\n      error\n      errorCode\n    }\n  }\n}"): (typeof documents)["query WorkflowRun($id: ID!) {\n  workflowRun(id: $id) {\n    id\n    workflow\n    status\n    failedStep\n    error\n    rolledBack\n    steps {\n      name\n      status\n      attempts\n      error\n      errorCode\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;