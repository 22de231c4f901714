"""Who may write what in sales: every write of the API and the main form posts, for every role
of the test company, on documents of rep1 (team East-1, region East).

A role allowed gets a 2xx (a page: its redirect) and the document changes; a role refused gets
403 `permission_denied` (no role for the action) or 404 `not_found` (the document or its
customer is not theirs to see) — a page answers 404 — and nothing changes, not even the audit
trail. Finance reads orders and quotes but does not write them (it writes money: invoices). The
owner and the team of a document are not fields of any write: they change only through the
customer reassignment (crm), so a write that names them is refused on the field.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pytest

from salesops.core.models import AuditEvent
from salesops.core.tests import write_matrix
from salesops.core.tests.write_matrix import Refused, count, nothing, refusal, status_of
from salesops.sales import forms, services
from salesops.sales.models import Contract, ContractChange, Delivery, Invoice, Quote, SalesOrder, SalesReturn
from salesops.sales.tests.helpers import decide_all

ROLES = ["rep1", "rep3", "supervisor1", "manager", "finance", "warehouse", "planner", "admin"]
SELLERS = {"rep1", "supervisor1", "manager", "admin"}  # rep1's own, team, region, company
SHIPPERS = {"warehouse", "admin"}
RECEIVERS = SELLERS | SHIPPERS
INVOICERS = {"finance", "admin"}
TODAY = datetime.date.today()


@pytest.fixture
def world(shop):
    org, rep = shop["org"], shop["org"]["rep1"]

    def order(product="p1", quantity="5", submit=False):
        made = services.order_create(
            actor=rep,
            customer=shop["customer"],
            payment="credit",
            lines=[{"product": shop[product].pk, "quantity": quantity}],
            warehouse=shop["warehouse"],
        )
        return services.order_submit(order=made, actor=rep) if submit else made

    def quote():
        return services.quote_create(
            actor=rep, customer=shop["customer"], lines=[{"product": shop["p1"].pk, "quantity": "1"}]
        )

    def contract():
        return services.contract_create(
            actor=rep,
            customer=shop["customer"],
            title="年度供货合同",
            start_date=TODAY,
            end_date=TODAY + datetime.timedelta(days=365),
            lines=[{"product": shop["p1"].pk, "quantity": "10", "unit_price": "10.00"}],
        )

    approved = services.quote_submit(quote=quote(), actor=rep)
    active = contract()
    services.contract_submit(contract=active, actor=rep)
    decide_all(active, "contract")
    world = {
        **shop,
        "draft": order(),
        "confirmed": order(submit=True),
        "quote": quote(),
        "approved": approved,
        "contract": contract(),
        "active": active,
        "issued": services.delivery_issue(order=order(submit=True), actor=org["warehouse"]),
        "uninvoiced": services.delivery_issue(order=order("p2", "1", submit=True), actor=org["warehouse"]),
    }
    assert (world["approved"].status, Contract.objects.get(pk=active.pk).status) == ("approved", "active")
    return world


def order_body(w, **extra):
    return {
        "customer": w["customer"].pk,
        "payment": "credit",
        "lines": [{"product": w["p1"].pk, "quantity": "1"}],
    } | extra


def form_lines(w):
    return {
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": w["p1"].pk,
        "lines-0-quantity": "2",
    }


@dataclass(frozen=True)
class Write(write_matrix.Write):
    hidden: set = field(default_factory=lambda: {"rep3"})  # may act, may not see: 404
    refused_field: str = ""  # allowed roles are refused on this field (400), nothing changes
    hidden_answer: int = 404  # what the hidden get (a form refuses a customer on its field: 200)


MATRIX = {
    # --- REST API -------------------------------------------------------------------------------------
    "order create": Write("post", "/api/v1/orders/", order_body, count(SalesOrder), SELLERS),
    "order submit": Write("post", "/api/v1/orders/{draft}/submit/", nothing, status_of(SalesOrder, "draft"), SELLERS),
    "order cancel": Write("post", "/api/v1/orders/{draft}/cancel/", nothing, status_of(SalesOrder, "draft"), SELLERS),
    "quote create": Write(
        "post",
        "/api/v1/quotes/",
        lambda w: {k: v for k, v in order_body(w).items() if k != "payment"},
        count(Quote),
        SELLERS,
    ),
    "quote change": Write(
        "patch",
        "/api/v1/quotes/{quote}/",
        lambda w: {"note": "新报价"},
        lambda w: Quote.objects.get(pk=w["quote"].pk).note,
        SELLERS,
    ),
    "quote submit": Write("post", "/api/v1/quotes/{quote}/submit/", nothing, status_of(Quote, "quote"), SELLERS),
    "quote to order": Write("post", "/api/v1/quotes/{approved}/order/", nothing, count(SalesOrder), SELLERS),
    "contract create": Write(
        "post",
        "/api/v1/contracts/",
        lambda w: {
            "customer": w["customer"].pk,
            "title": "T",
            "start_date": str(TODAY),
            "end_date": str(TODAY),
            "lines": [{"product": w["p1"].pk, "quantity": "1"}],
        },
        count(Contract),
        SELLERS,
    ),
    "contract submit": Write(
        "post", "/api/v1/contracts/{contract}/submit/", nothing, status_of(Contract, "contract"), SELLERS
    ),
    "contract change": Write(
        "post",
        "/api/v1/contracts/{active}/changes/",
        lambda w: {"reason": "涨价", "additional_terms": "x"},
        count(ContractChange),
        SELLERS,
    ),
    "delivery issue": Write(
        "post", "/api/v1/deliveries/", lambda w: {"order": w["confirmed"].pk}, count(Delivery), SHIPPERS, set()
    ),
    "delivery confirm": Write(
        "post", "/api/v1/deliveries/{issued}/confirm/", nothing, status_of(Delivery, "issued"), RECEIVERS
    ),
    "invoice create": Write(
        "post", "/api/v1/invoices/", lambda w: {"deliveries": [w["uninvoiced"].pk]}, count(Invoice), INVOICERS, set()
    ),
    "return request": Write(
        "post",
        "/api/v1/returns/",
        lambda w: {"order": w["confirmed"].pk, "kind": "cancellation", "reason": "撤单"},
        count(SalesReturn),
        SELLERS,
    ),
    # --- owner and team: not fields of any write (the reassignment moves them) ------------------------
    "order create naming its rep": Write(
        "post",
        "/api/v1/orders/",
        lambda w: order_body(w, rep=w["org"]["rep2"].pk),
        count(SalesOrder),
        SELLERS | {"rep3"},
        refused_field="rep",  # the body is read before the customer
    ),
    "quote change of its rep": Write(
        "patch",
        "/api/v1/quotes/{quote}/",
        lambda w: {"rep": w["org"]["rep2"].pk, "note": "x"},
        lambda w: Quote.objects.values_list("rep", "team", "note").get(pk=w["quote"].pk),
        SELLERS,
        refused_field="rep",
    ),
    "quote change of its team": Write(
        "patch",
        "/api/v1/quotes/{quote}/",
        lambda w: {"team": w["org"].units["EAST-2"].pk},
        lambda w: Quote.objects.values_list("rep", "team").get(pk=w["quote"].pk),
        SELLERS,
        refused_field="team",
    ),
    # --- form posts -------------------------------------------------------------------------------------
    "page: new order": Write(
        "post",
        "/sales/orders/new/",
        lambda w: {"customer": w["customer"].pk, "payment": "credit", **form_lines(w)},
        count(SalesOrder),
        SELLERS,
        hidden_answer=200,
    ),
    "page: change order": Write(
        "post",
        "/sales/orders/{draft}/edit/",
        lambda w: {"payment": "credit", "note": "改", **form_lines(w)},
        lambda w: SalesOrder.objects.get(pk=w["draft"].pk).note,
        SELLERS,
    ),
    "page: change quote": Write(
        "post",
        "/sales/quotes/{quote}/edit/",
        lambda w: {"note": "改", **form_lines(w)},
        lambda w: Quote.objects.get(pk=w["quote"].pk).note,
        SELLERS,
    ),
    "page: submit order": Write(
        "post", "/sales/orders/{draft}/submit/", nothing, status_of(SalesOrder, "draft"), SELLERS
    ),
    "page: cancel order": Write(
        "post", "/sales/orders/{draft}/cancel/", nothing, status_of(SalesOrder, "draft"), SELLERS
    ),
    "page: ship order": Write("post", "/sales/orders/{confirmed}/ship/", nothing, count(Delivery), SHIPPERS),
    "page: confirm receipt": Write(
        "post", "/sales/deliveries/{issued}/confirm/", nothing, status_of(Delivery, "issued"), RECEIVERS
    ),
    "page: invoice order": Write(
        "post", "/sales/orders/{uninvoiced_order}/invoice/", nothing, count(Invoice), INVOICERS
    ),
    "page: return": Write(
        "post",
        "/sales/orders/{confirmed}/return/",
        lambda w: {"kind": "cancellation", "reason": "撤单"},
        count(SalesReturn),
        SELLERS,
    ),
    "page: submit quote": Write("post", "/sales/quotes/{quote}/submit/", nothing, status_of(Quote, "quote"), SELLERS),
    "page: quote to order": Write("post", "/sales/quotes/{approved}/order/", nothing, count(SalesOrder), SELLERS),
    "page: submit contract": Write(
        "post", "/sales/contracts/{contract}/submit/", nothing, status_of(Contract, "contract"), SELLERS
    ),
    "page: change contract": Write(
        "post",
        "/sales/contracts/{active}/change/",
        lambda w: {"reason": "涨价", "additional_terms": "x", "lines-TOTAL_FORMS": "0", "lines-INITIAL_FORMS": "0"},
        count(ContractChange),
        SELLERS,
    ),
}


def trail():
    """Everything a refused write must leave as it was."""
    return (
        AuditEvent.objects.count(),
        *(
            tuple(model.objects.order_by("pk").values_list("pk", "status"))
            for model in (SalesOrder, Quote, Contract, ContractChange, Delivery, Invoice, SalesReturn)
        ),
    )


def expected(write, role) -> Refused | None:
    """None if `role` may make `write`, else how it is refused."""
    if role in write.allowed and write.refused_field:
        return Refused(400, "validation_error", write.refused_field)
    if role in write.allowed:
        return None
    if write.page:
        return Refused(write.hidden_answer if role in write.hidden else 404)
    return refusal(write, 404 if role in write.hidden else 403)


@write_matrix.parametrize(MATRIX, ROLES)
def test_write_matrix(world, api, client, action, role):
    write_matrix.check(
        MATRIX[action],
        role,
        world,
        expected=expected,
        trail=trail,
        api=api,
        client=client,
        uninvoiced_order=world["uninvoiced"].order_id,
    )


def test_no_sales_form_has_an_owner_or_team_field():
    """The pages' forms declare no owner: a form post cannot move a document to another rep."""
    declared = {
        name: set(form.base_fields) & {"rep", "team", "owner"}
        for name, form in vars(forms).items()
        if isinstance(form, type) and issubclass(form, forms.forms.BaseForm)
    }
    assert not any(declared.values()), declared
