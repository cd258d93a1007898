/** The repository root is the checkout example's project: `sagaql start` here serves it. */
export { default } from "./examples/checkout/sagaql.config.ts";
