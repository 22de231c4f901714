"""The sales documents that go through the approval engine."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from salesops.approvals.registry import ConditionField, DocumentType, register_document_type
from salesops.sales import services
from salesops.sales.approval_facts import ContractChangeFacts, ContractFacts, OrderFacts, QuoteFacts, ReturnFacts
from salesops.sales.models import Contract, ContractChange, Quote, SalesOrder, SalesReturn

GRADES = ["AAA", "AA", "A", "B", "C", "D"]


def _grade(customer) -> str:
    credit = getattr(customer, "credit_file", None) if hasattr(customer, "credit_file") else None
    return getattr(credit, "grade", "") or ""


def _order_summary(order: SalesOrder) -> dict:
    return {
        "number": order.number,
        "customer": order.customer.name,
        "payment": order.payment,
        "amount": str(order.total),
        "expected_prepayment": str(order.expected_prepayment),
        "discount_pct": str(order.max_discount),
    }


def _order_values(order: SalesOrder) -> dict:
    return {"amount": order.total, "discount_pct": order.max_discount, "customer_grade": _grade(order.customer)}


ORDER_FIELDS = {
    "amount": _("Amount"),
    "discount_pct": _("Discount %"),
    "customer_grade": ConditionField(_("Customer grade"), kind="choice", choices=GRADES),
}


def _url(name):
    return lambda obj: reverse(name, args=[obj.pk])


def _register(*, approved, closed, rejected, returned, cancelled, **spec) -> None:
    """One document type whose approval moves it with `approved(document)` and, on the other
    outcomes, `closed(document, target)` to the given state."""
    register_document_type(
        DocumentType(
            on_approved=lambda document, request: approved(document),
            on_rejected=lambda document, request: closed(document, rejected),
            on_returned=lambda document, request: closed(document, returned),
            on_cancelled=lambda document, request: closed(document, cancelled),
            **spec,
        )
    )


def _register_order_type(*, key, label, approved) -> None:
    _register(
        key=key,
        label=label,
        model=SalesOrder,
        fields=ORDER_FIELDS,
        values=_order_values,
        summary=_order_summary,
        requester=lambda o: o.rep,
        approved=lambda o: approved(order=o),
        closed=lambda o, target: services.order_approval_closed(order=o, target=target),
        rejected=SalesOrder.Status.REJECTED,
        returned=SalesOrder.Status.DRAFT,
        cancelled=SalesOrder.Status.DRAFT,
        url=_url("sales-order"),
        title=lambda o: f"{o.number} {o.customer.name}",
        facts=OrderFacts,
    )


def register_document_types() -> None:
    _register(
        key="special_discount",
        label=_("Special discount (quote)"),
        model=Quote,
        fields=ORDER_FIELDS,
        values=lambda q: {"amount": q.total, "discount_pct": q.max_discount, "customer_grade": _grade(q.customer)},
        summary=lambda q: {
            "number": q.number,
            "customer": q.customer.name,
            "amount": str(q.total),
            "discount_pct": str(q.max_discount),
        },
        requester=lambda q: q.rep,
        approved=lambda q: services.quote_approved(quote=q),
        closed=lambda q, target: services.quote_decided(quote=q, target=target),
        rejected=Quote.Status.REJECTED,
        returned=Quote.Status.RETURNED,
        cancelled=Quote.Status.DRAFT,
        url=_url("sales-quote"),
        title=lambda q: f"{q.number} {q.customer.name}",
        facts=QuoteFacts,
    )
    _register_order_type(
        key="special_discount_order",
        label=_("Special discount (order)"),
        approved=services.order_discount_approved,
    )
    _register_order_type(
        key="overlimit_shipment", label=_("Over-limit order"), approved=services.order_overlimit_approved
    )
    _register(
        key="contract",
        label=_("Contract"),
        model=Contract,
        fields={"amount": _("Amount"), "payment_terms_days": _("Payment terms (days)")},
        values=lambda c: {"amount": c.total, "payment_terms_days": c.payment_terms_days},
        summary=lambda c: {
            "number": c.number,
            "customer": c.customer.name,
            "title": c.title,
            "amount": str(c.total),
            "terms": c.terms[:500],
        },
        requester=lambda c: c.rep,
        approved=lambda c: services.contract_decided(contract=c, target=Contract.Status.ACTIVE),
        closed=lambda c, target: services.contract_decided(contract=c, target=target),
        rejected=Contract.Status.REJECTED,
        returned=Contract.Status.DRAFT,
        cancelled=Contract.Status.DRAFT,
        url=_url("sales-contract"),
        title=lambda c: f"{c.number} {c.title}",
        facts=ContractFacts,
    )
    _register(
        key="contract_change",
        label=_("Contract change"),
        model=ContractChange,
        fields={"amount": _("New contract value")},
        values=lambda ch: {"amount": ch.new_total if ch.new_total is not None else ch.contract.total},
        summary=lambda ch: {
            "number": ch.number,
            "contract": ch.contract.number,
            "reason": ch.reason[:500],
            "new_end_date": str(ch.new_end_date or ""),
            "new_total": str(ch.new_total or ""),
            "additional_terms": ch.additional_terms[:500],
            "lines": [f"{line.product_id}: {line.quantity} × {line.unit_price}" for line in ch.lines.all()],
        },
        requester=lambda ch: ch.requested_by,
        approved=lambda ch: services.contract_change_apply(change=ch),
        closed=lambda ch, target: services.contract_change_decided(change=ch, target=target),
        rejected=ContractChange.Status.REJECTED,
        returned=ContractChange.Status.CANCELLED,
        cancelled=ContractChange.Status.CANCELLED,
        url=_url("sales-contract-change-detail"),
        title=lambda ch: f"{ch.number}",
        facts=ContractChangeFacts,
    )
    _register(
        key="refund",
        label=_("Return or cancellation"),
        model=SalesReturn,
        fields={"amount": _("Amount")},
        values=lambda rt: {"amount": rt.total},
        summary=lambda rt: {
            "number": rt.number,
            "kind": rt.kind,
            "order": rt.order.number,
            "customer": rt.order.customer.name,
            "amount": str(rt.total),
            "reason": rt.reason,
        },
        requester=lambda rt: rt.requested_by,
        approved=lambda rt: services.return_complete(sales_return=rt),
        closed=lambda rt, target: services.return_decided(sales_return=rt, target=target),
        rejected=SalesReturn.Status.REJECTED,
        returned=SalesReturn.Status.CANCELLED,
        cancelled=SalesReturn.Status.CANCELLED,
        url=lambda rt: reverse("sales-order", args=[rt.order_id]),
        title=lambda rt: f"{rt.number} {rt.order.number}",
        facts=ReturnFacts,
    )
