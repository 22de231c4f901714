import pytest

from salesops.sales.tests.factories import make_customer, make_product, make_warehouse


@pytest.fixture
def shop(org):
    """A warehouse with two products in stock and customers of rep1 (with and without credit)."""
    warehouse = make_warehouse()
    p1 = make_product(price="10.00", stock="100", warehouse=warehouse)
    p2 = make_product(price="3.33", stock="100", warehouse=warehouse)
    return {
        "org": org,
        "warehouse": warehouse,
        "p1": p1,
        "p2": p2,
        "customer": make_customer(owner=org["rep1"], limit="1000.00"),
        "no_credit": make_customer(owner=org["rep1"]),
        "other_team_customer": make_customer(owner=org["rep3"], limit="1000.00"),
    }
