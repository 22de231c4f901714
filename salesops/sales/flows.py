"""The state machines of the sales documents."""

from salesops.core.state import StateMachine
from salesops.sales.models import Contract, ContractChange, Delivery, Invoice, Quote, SalesOrder, SalesReturn

S = SalesOrder.Status
ORDER_FLOW = StateMachine(
    {
        S.DRAFT: {S.PENDING_APPROVAL, S.PENDING_PAYMENT, S.CONFIRMED, S.CANCELLED},
        S.PENDING_APPROVAL: {S.CONFIRMED, S.REJECTED, S.DRAFT, S.PENDING_APPROVAL, S.PENDING_PAYMENT},
        S.PENDING_PAYMENT: {S.CONFIRMED, S.CANCELLED},
        S.CONFIRMED: {S.PARTIALLY_DELIVERED, S.DELIVERED, S.CANCELLED},
        S.PARTIALLY_DELIVERED: {S.DELIVERED},
        S.DELIVERED: {S.CLOSED},
        S.REJECTED: {S.DRAFT, S.CANCELLED},
    }
)

Q = Quote.Status
QUOTE_FLOW = StateMachine(
    {
        Q.DRAFT: {Q.PENDING_APPROVAL, Q.APPROVED, Q.CANCELLED},
        Q.PENDING_APPROVAL: {Q.APPROVED, Q.REJECTED, Q.RETURNED, Q.DRAFT},
        # returned for changes: changed (a new revision, a draft again) or submitted as it is
        Q.RETURNED: {Q.DRAFT, Q.PENDING_APPROVAL, Q.APPROVED, Q.CANCELLED},
        Q.APPROVED: {Q.ACCEPTED, Q.CANCELLED},
        Q.REJECTED: {Q.DRAFT, Q.CANCELLED},
    }
)

C = Contract.Status
CONTRACT_FLOW = StateMachine(
    {
        C.DRAFT: {C.PENDING_APPROVAL, C.ACTIVE, C.CANCELLED},
        C.PENDING_APPROVAL: {C.ACTIVE, C.REJECTED, C.DRAFT},
        C.ACTIVE: {C.CLOSED},
        C.REJECTED: {C.DRAFT, C.CANCELLED},
    }
)

CC = ContractChange.Status
CONTRACT_CHANGE_FLOW = StateMachine({CC.PENDING_APPROVAL: {CC.APPROVED, CC.REJECTED, CC.CANCELLED}})

D = Delivery.Status
DELIVERY_FLOW = StateMachine({D.ISSUED: {D.CONFIRMED}})

INV = Invoice.Status
INVOICE_FLOW = StateMachine({INV.OPEN: {INV.PAID, INV.CANCELLED}, INV.PAID: {INV.OPEN}})

R = SalesReturn.Status
RETURN_FLOW = StateMachine({R.PENDING_APPROVAL: {R.COMPLETED, R.REJECTED, R.CANCELLED}})
