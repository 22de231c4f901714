"""Quotes that can be fixed and traced: a draft or returned quote is changed (page and PATCH);
a change after a return starts the next revision and keeps the lines before it; a quote made
for an opportunity moves it to the quote stage, and the order made from the quote wins it;
quote, opportunity, contract and order pages link each other."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from salesops.crm.models import Stage, StageChange
from salesops.crm.services import opportunity_create
from salesops.sales import services
from salesops.sales.exceptions import DocumentLocked
from salesops.sales.models import Quote, QuoteRevision
from salesops.sales.tests.helpers import decide_all

D = Decimal


def make_quote(shop, price="7.00", quantity="2", **kwargs):
    """2 × 7.00 against a list price of 10.00: a special discount, decided by approval."""
    return services.quote_create(
        actor=shop["org"]["rep1"],
        customer=kwargs.pop("customer", shop["customer"]),
        lines=[{"product": shop["p1"].pk, "quantity": quantity, "unit_price": price}],
        **kwargs,
    )


def returned_quote(shop):
    quote = services.quote_submit(quote=make_quote(shop), actor=shop["org"]["rep1"])
    assert quote.status == Quote.Status.PENDING_APPROVAL
    decide_all(quote, "special_discount", decision="return", comment="price too low")
    quote.refresh_from_db()
    assert quote.status == Quote.Status.RETURNED
    return quote


def lines_of(quote):
    return list(quote.lines.order_by("position").values_list("product_id", "quantity", "unit_price", "amount"))


def form_data(lines, **header):
    data = {
        "valid_until": header.get("valid_until", ""),
        "note": header.get("note", ""),
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for index, line in enumerate(lines):
        for name, value in line.items():
            data[f"lines-{index}-{name}"] = value
    return data


def make_opportunity(shop, stage_code="needs", customer=None):
    return opportunity_create(
        actor=shop["org"]["rep1"],
        customer=customer or shop["customer"],
        name="年度面粉供货",
        expected_close=datetime.date.today() + datetime.timedelta(days=30),
        stage=Stage.objects.get(code=stage_code),
    )


# --- changes and revisions ---------------------------------------------------------------------------
def test_a_draft_is_changed_in_place_without_a_new_revision(shop):
    quote = make_quote(shop)
    quote = services.quote_update(
        quote=quote,
        actor=shop["org"]["rep1"],
        lines=[{"product": shop["p1"].pk, "quantity": "3"}, {"product": shop["p2"].pk, "quantity": "1"}],
        note="two products",
    )
    quote.refresh_from_db()
    assert (quote.status, quote.revision, quote.total, quote.note) == ("draft", 1, D("33.33"), "two products")
    assert lines_of(quote) == [
        (shop["p1"].pk, D("3"), D("10.00"), D("30.00")),
        (shop["p2"].pk, D("1"), D("3.33"), D("3.33")),
    ]
    assert not QuoteRevision.objects.exists()


def test_a_change_after_a_return_is_revision_2_and_keeps_revision_1(shop):
    quote = returned_quote(shop)
    rep = shop["org"]["rep1"]
    services.quote_update(
        quote=quote, actor=rep, lines=[{"product": shop["p1"].pk, "quantity": "2", "unit_price": "9.50"}]
    )
    quote.refresh_from_db()
    assert (quote.status, quote.revision, quote.total, quote.discount_approved) == ("draft", 2, D("19.00"), False)
    kept = QuoteRevision.objects.get(quote=quote)
    assert (kept.revision, kept.total, kept.replaced_by) == (1, D("14.00"), rep)
    assert [(line["product"], line["quantity"], line["unit_price"], line["amount"]) for line in kept.lines] == [
        (shop["p1"].pk, "2", "7.00", "14.00")
    ]
    # a second change of the same draft is still revision 2
    services.quote_update(quote=quote, actor=rep, note="rounded")
    quote.refresh_from_db()
    assert (quote.revision, quote.note, QuoteRevision.objects.filter(quote=quote).count()) == (2, "rounded", 1)
    # submitted anew: 5 % off is within the rep's allowance
    assert services.quote_submit(quote=quote, actor=rep).status == "approved"


def test_a_quote_returned_again_after_revision_2_becomes_revision_3(shop):
    quote = returned_quote(shop)
    rep = shop["org"]["rep1"]
    services.quote_update(
        quote=quote, actor=rep, lines=[{"product": shop["p1"].pk, "quantity": "4", "unit_price": "7.00"}]
    )
    services.quote_submit(quote=quote, actor=rep)
    decide_all(quote, "special_discount", decision="return")
    services.quote_update(quote=quote, actor=rep, lines=[{"product": shop["p1"].pk, "quantity": "4"}])
    quote.refresh_from_db()
    assert quote.revision == 3
    assert list(quote.revisions.values_list("revision", "total")) == [(2, D("28.00")), (1, D("14.00"))]


@pytest.mark.parametrize("state", ["approved", "pending_approval"])
def test_a_quote_past_draft_is_not_changed(shop, state):
    quote = make_quote(shop, price="10.00" if state == "approved" else "7.00")
    quote = services.quote_submit(quote=quote, actor=shop["org"]["rep1"])
    assert quote.status == state
    before = lines_of(quote), quote.total
    with pytest.raises(DocumentLocked):
        services.quote_update(
            quote=quote, actor=shop["org"]["rep1"], lines=[{"product": shop["p2"].pk, "quantity": "1"}]
        )
    quote.refresh_from_db()
    assert (lines_of(quote), quote.total) == before and quote.revision == 1


def test_the_edit_page_changes_a_returned_quote_and_the_quote_page_shows_the_revisions(shop, client):
    quote = returned_quote(shop)
    client.force_login(shop["org"]["rep1"])
    detail = client.get(reverse("sales-quote", args=[quote.pk])).content.decode()
    assert "Returned for changes" in detail and reverse("sales-quote-edit", args=[quote.pk]) in detail
    page = client.get(reverse("sales-quote-edit", args=[quote.pk])).content.decode()
    assert 'name="lines-0-quantity" value="2"' in page and shop["customer"].name in page
    response = client.post(
        reverse("sales-quote-edit", args=[quote.pk]),
        form_data([{"product": shop["p1"].pk, "quantity": "5", "unit_price": "9.00"}], note="new price"),
    )
    assert response.status_code == 302 and response["Location"] == reverse("sales-quote", args=[quote.pk])
    detail = client.get(reverse("sales-quote", args=[quote.pk])).content.decode()
    assert 'data-testid="quote-revision">Rev 2<' in detail
    assert 'data-testid="quote-revision-1"' in detail and "Rev 1: total 14.00" in detail
    assert "45.00" in detail  # the new lines: 5 × 9.00


def test_the_edit_page_keeps_the_input_and_changes_nothing_when_a_line_is_wrong(shop, client):
    quote = returned_quote(shop)
    client.force_login(shop["org"]["rep1"])
    response = client.post(
        reverse("sales-quote-edit", args=[quote.pk]), form_data([{"product": shop["p1"].pk, "quantity": "-1"}])
    )
    assert response.status_code == 200 and "The quantity must be greater than zero." in response.content.decode()
    quote.refresh_from_db()
    assert (quote.status, quote.revision) == ("returned", 1) and not QuoteRevision.objects.exists()


def test_the_edit_page_of_an_approved_quote_sends_back_to_the_quote(shop, client):
    quote = services.quote_submit(quote=make_quote(shop, price="10.00"), actor=shop["org"]["rep1"])
    client.force_login(shop["org"]["rep1"])
    response = client.get(reverse("sales-quote-edit", args=[quote.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("sales-quote", args=[quote.pk])
    client.force_login(shop["org"]["rep3"])
    assert client.get(reverse("sales-quote-edit", args=[quote.pk])).status_code == 404


@pytest.mark.parametrize(("who", "status"), [("rep1", 200), ("supervisor1", 200), ("rep3", 404), ("finance", 403)])
def test_patch_changes_a_returned_quote(shop, api, who, status):
    quote = returned_quote(shop)
    response = api(shop["org"][who]).patch(
        f"/api/v1/quotes/{quote.pk}/",
        {"lines": [{"product": shop["p1"].pk, "quantity": "3", "unit_price": "9.00"}], "note": "rev"},
        format="json",
    )
    assert response.status_code == status
    quote.refresh_from_db()
    if status == 200:
        body = response.json()
        assert (body["revision"], body["status"], body["total"], body["note"]) == (2, "draft", "27.00", "rev")
        assert body["revisions"][0]["revision"] == 1 and body["revisions"][0]["total"] == "14.00"
        assert body["revisions"][0]["lines"][0]["unit_price"] == "7.00"
    else:
        assert (quote.revision, quote.status, quote.total) == (1, "returned", D("14.00"))


def test_patch_of_an_approved_quote_is_a_conflict_and_bad_lines_are_400(shop, api):
    approved = services.quote_submit(quote=make_quote(shop, price="10.00"), actor=shop["org"]["rep1"])
    client = api(shop["org"]["rep1"])
    response = client.patch(f"/api/v1/quotes/{approved.pk}/", {"note": "x"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "document_locked"
    draft = make_quote(shop)
    response = client.patch(
        f"/api/v1/quotes/{draft.pk}/", {"lines": [{"product": shop["p1"].pk, "quantity": "0"}]}, format="json"
    )
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.total == D("14.00")


# --- opportunities -----------------------------------------------------------------------------------
def test_a_quote_from_an_opportunity_page_moves_it_to_the_quote_stage_and_the_order_wins_it(shop, client):
    opportunity = make_opportunity(shop)
    client.force_login(shop["org"]["rep1"])
    page = client.get(reverse("opportunity-detail", args=[opportunity.pk])).content.decode()
    new_quote = reverse("sales-quote-new") + f"?opportunity={opportunity.pk}"
    assert new_quote in page
    page = client.get(new_quote).content.decode()
    assert f'<option value="{shop["customer"].pk}" selected>' in page
    assert f'<option value="{opportunity.pk}" selected>' in page
    data = form_data([{"product": shop["p1"].pk, "quantity": "2"}])
    data.update(customer=shop["customer"].pk, opportunity=opportunity.pk)
    response = client.post(reverse("sales-quote-new"), data)
    assert response.status_code == 302
    quote = Quote.objects.get(opportunity=opportunity)
    opportunity.refresh_from_db()
    assert opportunity.stage.code == "proposal"
    assert StageChange.objects.filter(opportunity=opportunity, to_stage__code="proposal", note=quote.number).exists()

    services.quote_submit(quote=quote, actor=shop["org"]["rep1"])
    order = services.quote_to_order(quote=quote, actor=shop["org"]["rep1"], warehouse=shop["warehouse"])
    opportunity.refresh_from_db()
    assert opportunity.stage.outcome == "won" and opportunity.closed_at is not None
    assert StageChange.objects.filter(opportunity=opportunity, to_stage__outcome="won", note=order.number).exists()


def test_an_opportunity_further_on_stays_where_it_is(shop):
    opportunity = make_opportunity(shop, stage_code="negotiation")
    make_quote(shop, opportunity=opportunity)
    opportunity.refresh_from_db()
    assert opportunity.stage.code == "negotiation"


def test_an_opportunity_of_another_customer_or_not_visible_is_refused(shop, api):
    from salesops.core.exceptions import ValidationFailed

    other = make_opportunity(shop, customer=shop["no_credit"])
    with pytest.raises(ValidationFailed) as refused:
        make_quote(shop, opportunity=other)
    assert "opportunity" in refused.value.fields and not Quote.objects.exists()
    response = api(shop["org"]["rep3"]).post(
        "/api/v1/quotes/",
        {
            "customer": shop["other_team_customer"].pk,
            "opportunity": make_opportunity(shop).pk,
            "lines": [{"product": shop["p1"].pk, "quantity": "1"}],
        },
        format="json",
    )
    assert response.status_code == 400 and "opportunity" in response.json()["fields"]


def test_the_api_creates_a_quote_for_an_opportunity(shop, api):
    opportunity = make_opportunity(shop)
    response = api(shop["org"]["rep1"]).post(
        "/api/v1/quotes/",
        {
            "customer": shop["customer"].pk,
            "opportunity": opportunity.pk,
            "lines": [{"product": shop["p1"].pk, "quantity": "1"}],
        },
        format="json",
    )
    assert response.status_code == 201 and response.json()["opportunity"] == opportunity.pk
    opportunity.refresh_from_db()
    assert opportunity.stage.code == "proposal"


# --- traceability ------------------------------------------------------------------------------------
def test_quote_opportunity_contract_and_order_pages_link_each_other(shop, client):
    rep = shop["org"]["rep1"]
    opportunity = make_opportunity(shop)
    quote = make_quote(shop, price="10.00", opportunity=opportunity)
    services.quote_submit(quote=quote, actor=rep)
    client.force_login(rep)
    contract_form = client.get(reverse("sales-contract-new") + f"?quote={quote.pk}").content.decode()
    assert (
        f'<option value="{quote.pk}" selected>' in contract_form
        and 'name="lines-0-quantity" value="2"' in contract_form
    )
    data = form_data([{"product": shop["p1"].pk, "quantity": "2", "unit_price": "10.00"}])
    data.update(
        customer=shop["customer"].pk,
        quote=quote.pk,
        title="供货合同",
        start_date=datetime.date.today().isoformat(),
        end_date=(datetime.date.today() + datetime.timedelta(days=365)).isoformat(),
        payment_terms_days="30",
        terms="",
    )
    assert client.post(reverse("sales-contract-new"), data).status_code == 302
    contract = quote.contracts.get()
    order = services.quote_to_order(quote=quote, actor=rep, warehouse=shop["warehouse"])

    page = client.get(reverse("sales-quote", args=[quote.pk])).content.decode()
    assert reverse("opportunity-detail", args=[opportunity.pk]) in page
    assert reverse("sales-contract", args=[contract.pk]) in page and reverse("sales-order", args=[order.pk]) in page
    quote_url = reverse("sales-quote", args=[quote.pk])
    assert quote_url in client.get(reverse("sales-order", args=[order.pk])).content.decode()
    assert quote_url in client.get(reverse("sales-contract", args=[contract.pk])).content.decode()
    page = client.get(reverse("opportunity-detail", args=[opportunity.pk])).content.decode()
    assert 'data-testid="opportunity-quotes"' in page and quote_url in page
    assert 'data-testid="opportunity-new-quote"' not in page  # won: closed


def test_a_contract_for_another_customers_quote_is_refused(shop):
    from salesops.core.exceptions import ValidationFailed

    quote = make_quote(shop, price="10.00")
    with pytest.raises(ValidationFailed) as refused:
        services.contract_create(
            actor=shop["org"]["rep1"],
            customer=shop["no_credit"],
            title="x",
            start_date=datetime.date.today(),
            end_date=datetime.date.today(),
            lines=[{"product": shop["p1"].pk, "quantity": "1"}],
            quote=quote,
        )
    assert "quote" in refused.value.fields
