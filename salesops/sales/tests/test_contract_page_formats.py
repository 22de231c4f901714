"""Contract pages write money, quantities and dates with the one formatting helper
(salesops.core.formatting): the contract's value as money, its dates in the reader's language,
a changed line's quantity and prices without stored-precision artefacts."""

import pytest
from django.urls import reverse
from django.utils import translation

from salesops.core import formatting
from salesops.sales import services
from salesops.sales.tests.test_contract_change_lines import contract  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_contract_page_shows_its_value_as_money_and_its_dates(shop, client, contract, language):  # noqa: F811
    rep = shop["org"]["rep1"]
    rep.language = language
    rep.save(update_fields=["language"])
    client.force_login(rep)
    html = client.get(reverse("sales-contract", args=[contract.pk]), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert "<strong>¥1,000.00</strong>" in html  # 100 × 10.00
    with translation.override(language):
        assert f"{formatting.date(contract.start_date)} – {formatting.date(contract.end_date)}" in html


def test_the_change_page_shows_quantities_and_prices_without_artefacts(shop, client, contract):  # noqa: F811
    change = services.contract_change_request(
        contract=contract,
        actor=shop["org"]["rep1"],
        reason="x",
        lines=[{"product": shop["p1"].pk, "quantity": "1200", "unit_price": "12.5"}],
    )
    client.force_login(shop["org"]["rep1"])
    html = client.get(reverse("sales-contract-change-detail", args=[change.pk])).content.decode()
    assert ">1,200<" in html and ">100<" in html  # quantity after and before
    assert ">12.50<" in html and ">10.00<" in html  # price after and before
    assert ">15,000.00<" in html  # the amount after
