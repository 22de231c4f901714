"""Pages that must stay cheap as data grows: a fixed number of queries, aggregates in the
database, and capped card lists."""

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from salesops.crm import services, views
from salesops.crm.models import Stage
from salesops.crm.tests.factories import make_customer


def _opportunities(rep, n, *, amount="100"):
    customer = make_customer(rep)
    return [
        services.opportunity_create(
            actor=rep,
            customer=customer,
            name=f"机会{i}",
            amount=Decimal(amount),
            expected_close=datetime.date(2026, 12, 1) + datetime.timedelta(days=i),
        )
        for i in range(n)
    ]


def test_board_counts_and_totals_cover_every_opportunity_but_cards_are_capped(org, client, monkeypatch):
    monkeypatch.setattr(views, "CARDS_PER_STAGE", 3)
    opportunities = _opportunities(org["rep1"], 5)
    services.opportunity_move(opportunity=opportunities[4], stage=Stage.objects.get(code="needs"), actor=org["rep1"])
    client.force_login(org["supervisor1"])

    response = client.get("/opportunities/")

    lead = next(c for c in response.context["columns"] if c["stage"].code == "lead")
    needs = next(c for c in response.context["columns"] if c["stage"].code == "needs")
    assert (lead["count"], lead["total"], len(lead["cards"]), lead["more"]) == (4, Decimal("400.00"), 3, 1)
    assert [o.name for o in lead["cards"]] == ["机会0", "机会1", "机会2"]  # by expected close
    assert (needs["count"], len(needs["cards"]), needs["more"]) == (1, 1, 0)
    body = response.content.decode()
    assert 'data-testid="more-lead"' in body and 'data-testid="card-' in body
    # the card's stage picker shows its own stage selected
    assert f'<option value="{needs["stage"].pk}" selected>' in body


def test_board_query_count_does_not_grow_with_opportunities(org, client):
    client.force_login(org["supervisor1"])
    _opportunities(org["rep1"], 2)
    client.get("/opportunities/")
    with CaptureQueriesContext(connection) as few:
        client.get("/opportunities/")
    _opportunities(org["rep2"], 15)
    with CaptureQueriesContext(connection) as many:
        client.get("/opportunities/")
    assert len(many) == len(few)


def test_rep_sees_only_own_cards_on_the_board(org, client):
    _opportunities(org["rep1"], 2)
    _opportunities(org["rep3"], 2)
    client.force_login(org["rep3"])
    columns = client.get("/opportunities/").context["columns"]
    assert sum(c["count"] for c in columns) == 2
    assert {o.owner_id for c in columns for o in c["cards"]} == {org["rep3"].pk}
