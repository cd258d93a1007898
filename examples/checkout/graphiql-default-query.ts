/** What GraphiQL's editor shows on a first visit: a tour of the checkout, runnable operation by operation. */
export const GRAPHIQL_DEFAULT_QUERY = `# sagaql checkout example. Run the operations top to
# bottom: the ▶ button asks which one.
#
# Test cards: pm_card_visa charges, pm_card_chargeDeclined
# is declined, pm_card_flaky fails once and then succeeds
# on retry, pm_card_slow takes about 3 s, pm_card_refundFail
# charges but cannot be refunded.
# Orders to shippingCountry "XX" cannot be shipped: their
# charge is refunded (with pm_card_refundFail the run ends
# FAILED, for a person to look at).
#
# The Headers tab carries the demo customer's token; npm start
# prints an admin's too. Without a header you may read products only.

query Products {
  products(orderBy: { sku: ASC }) {
    id sku name price stock
  }
}

mutation CreateOrder {
  orderCreate(data: {
    items: "[{\\"sku\\": \\"KB-001\\", \\"quantity\\": 1}]"
  }) { id status total }
}

# Replace ORDER_ID with the id CreateOrder returned.
mutation Checkout {
  orderCheckout(
    id: "ORDER_ID"
    input: { paymentMethodId: "pm_card_visa" }
  ) {
    __typename
    ... on OrderCheckoutSuccess {
      result runId order { status chargeId shipmentId }
    }
    ... on WorkflowError {
      message code failedStep compensatedSteps
    }
  }
}

# Your orders, through your customer row.
query MyOrders {
  customer(id: "cus_demo_1") {
    name orders { id status total }
  }
}

# Replace RUN_ID with a runId to see each step of that run.
query Run {
  workflowRun(id: "RUN_ID") {
    status steps { name status attempts error }
  }
}
`;
