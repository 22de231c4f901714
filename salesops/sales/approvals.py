"""The sales documents that go through the approval engine."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from salesops.approvals.registry import ConditionField, DocumentType, register_document_type
from salesops.sales import services
from salesops.sales.models import Contract, ContractChange, Quote, SalesOrder, SalesReturn

GRADES = ["AAA", "AA", "A", "B", "C", "D"]


def _grade(customer) -> str:
    credit = getattr(customer, "credit_file", None) if hasattr(customer, "credit_file") else None
    return getattr(credit, "grade", "") or ""


def _order_summary(order: SalesOrder) -> dict:
    return {
        "number": order.number,
        "customer": order.customer.name,
        "payment": str(order.get_payment_display()),
        "amount": str(order.total),
        "prepayment": str(order.prepayment_amount),
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


def register_document_types() -> None:
    register_document_type(
        DocumentType(
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
            on_approved=lambda q, r: services.quote_approved(quote=q),
            on_rejected=lambda q, r: services.quote_decided(quote=q, target=Quote.Status.REJECTED),
            on_returned=lambda q, r: services.quote_decided(quote=q, target=Quote.Status.DRAFT),
            on_cancelled=lambda q, r: services.quote_decided(quote=q, target=Quote.Status.DRAFT),
            url=_url("sales-quote"),
            title=lambda q: f"{q.number} {q.customer.name}",
        )
    )
    register_document_type(
        DocumentType(
            key="special_discount_order",
            label=_("Special discount (order)"),
            model=SalesOrder,
            fields=ORDER_FIELDS,
            values=_order_values,
            summary=_order_summary,
            requester=lambda o: o.rep,
            on_approved=lambda o, r: services.order_discount_approved(order=o),
            on_rejected=lambda o, r: services.order_approval_closed(order=o, target=SalesOrder.Status.REJECTED),
            on_returned=lambda o, r: services.order_approval_closed(order=o, target=SalesOrder.Status.DRAFT),
            on_cancelled=lambda o, r: services.order_approval_closed(order=o, target=SalesOrder.Status.DRAFT),
            url=_url("sales-order"),
            title=lambda o: f"{o.number} {o.customer.name}",
        )
    )
    register_document_type(
        DocumentType(
            key="overlimit_shipment",
            label=_("Over-limit order"),
            model=SalesOrder,
            fields=ORDER_FIELDS,
            values=_order_values,
            summary=_order_summary,
            requester=lambda o: o.rep,
            on_approved=lambda o, r: services.order_overlimit_approved(order=o),
            on_rejected=lambda o, r: services.order_approval_closed(order=o, target=SalesOrder.Status.REJECTED),
            on_returned=lambda o, r: services.order_approval_closed(order=o, target=SalesOrder.Status.DRAFT),
            on_cancelled=lambda o, r: services.order_approval_closed(order=o, target=SalesOrder.Status.DRAFT),
            url=_url("sales-order"),
            title=lambda o: f"{o.number} {o.customer.name}",
        )
    )
    register_document_type(
        DocumentType(
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
            on_approved=lambda c, r: services.contract_decided(contract=c, target=Contract.Status.ACTIVE),
            on_rejected=lambda c, r: services.contract_decided(contract=c, target=Contract.Status.REJECTED),
            on_returned=lambda c, r: services.contract_decided(contract=c, target=Contract.Status.DRAFT),
            on_cancelled=lambda c, r: services.contract_decided(contract=c, target=Contract.Status.DRAFT),
            url=_url("sales-contract"),
            title=lambda c: f"{c.number} {c.title}",
        )
    )
    register_document_type(
        DocumentType(
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
            },
            requester=lambda ch: ch.requested_by,
            on_approved=lambda ch, r: services.contract_change_apply(change=ch),
            on_rejected=lambda ch, r: services.contract_change_decided(
                change=ch, target=ContractChange.Status.REJECTED
            ),
            on_returned=lambda ch, r: services.contract_change_decided(
                change=ch, target=ContractChange.Status.CANCELLED
            ),
            on_cancelled=lambda ch, r: services.contract_change_decided(
                change=ch, target=ContractChange.Status.CANCELLED
            ),
            url=lambda ch: reverse("sales-contract", args=[ch.contract_id]),
            title=lambda ch: f"{ch.number}",
        )
    )
    register_document_type(
        DocumentType(
            key="refund",
            label=_("Return or cancellation"),
            model=SalesReturn,
            fields={"amount": _("Amount")},
            values=lambda rt: {"amount": rt.total},
            summary=lambda rt: {
                "number": rt.number,
                "kind": str(rt.get_kind_display()),
                "order": rt.order.number,
                "customer": rt.order.customer.name,
                "amount": str(rt.total),
                "reason": rt.reason,
            },
            requester=lambda rt: rt.requested_by,
            on_approved=lambda rt, r: services.return_complete(sales_return=rt),
            on_rejected=lambda rt, r: services.return_decided(sales_return=rt, target=SalesReturn.Status.REJECTED),
            on_returned=lambda rt, r: services.return_decided(sales_return=rt, target=SalesReturn.Status.CANCELLED),
            on_cancelled=lambda rt, r: services.return_decided(sales_return=rt, target=SalesReturn.Status.CANCELLED),
            url=lambda rt: reverse("sales-order", args=[rt.order_id]),
            title=lambda rt: f"{rt.number} {rt.order.number}",
        )
    )
