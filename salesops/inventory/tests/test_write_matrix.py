"""Who may write what in stock: every write of the API and the main form posts (stock moves,
transfers, stocktakes, lot write-offs), for every role of the test company; and who sees costs.

The warehouse (and an administrator) moves stock; everyone else is refused — 403
`permission_denied` through the API, 404 on a page — and nothing changes, not even the audit
trail or the ledger. Costs (average cost, stock value, a product's standard cost) are shown to
the stock roles only: not in the API, the list export or a product's history of a sales role.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from salesops.catalog.services import product_update
from salesops.core.models import AuditEvent
from salesops.core.tests import write_matrix
from salesops.core.tests.write_matrix import Refused, Write, count, refusal, status_of
from salesops.inventory import documents
from salesops.inventory import stocktake as stocktakes
from salesops.inventory.lots import LotSpec
from salesops.inventory.models import LotBalance, LotDisposal, StockMove, Stocktake, Transfer
from salesops.inventory.services import Reference, StockLine, stock_receive
from salesops.inventory.tests.factories import make_product, make_warehouse, receive

pytestmark = pytest.mark.django_db

ROLES = ["rep1", "rep3", "supervisor1", "manager", "finance", "warehouse", "planner", "admin"]
MOVERS = {"warehouse", "admin"}
SEES_COSTS = {"manager", "finance", "warehouse", "planner", "admin"}
TODAY = timezone.localdate()


@pytest.fixture
def world(org):
    wh, dc = make_warehouse("MAIN"), make_warehouse("DC")
    flour = make_product("FLOUR", cost=Decimal("80"), list_price=Decimal("110"))
    yeast = make_product("YEAST", lot_tracked=True, shelf_life_days=180, expiry_warning_days=30)
    receive(wh, flour, 100, "80")
    stock_receive(
        warehouse=wh,
        lines=[StockLine(yeast.pk, Decimal("20"), Decimal("3"), lot=LotSpec("L-1", TODAY, TODAY))],
        reference=Reference("test", None, "L-1"),
        actor=None,
    )
    keeper = org["warehouse"]
    moving = documents.transfer_create(source=wh, destination=dc, lines=[(flour, 5)], actor=keeper)
    documents.transfer_send(transfer=moving, actor=keeper)
    product_update(product=flour, data={"cost": Decimal("82")}, actor=org["admin"])  # a cost in its history
    return {
        "org": org,
        "wh": wh,
        "dc": dc,
        "flour": flour,
        "draft": documents.transfer_create(source=wh, destination=dc, lines=[(flour, 10)], actor=keeper),
        "moving": moving,
        "stocktake": stocktakes.stocktake_freeze(warehouse=wh, actor=keeper),
        "lot": LotBalance.objects.get(product=yeast),
    }


def move(url, body, probe) -> Write:
    """A write of the stock roles, posted to `url`."""
    return Write("post", url, body, probe, frozenset(MOVERS))


MATRIX = {
    # --- REST API -------------------------------------------------------------------------------------
    "transfer create": move(
        "/api/v1/transfers/",
        lambda w: {
            "source": w["wh"].pk,
            "destination": w["dc"].pk,
            "lines": [{"product": w["flour"].pk, "quantity": "1"}],
        },
        count(Transfer),
    ),
    "transfer send": move("/api/v1/transfers/{draft}/send/", lambda w: {}, status_of(Transfer, "draft")),
    "transfer receive": move(
        "/api/v1/transfers/{moving}/receive/",
        lambda w: {"quantities": {str(w["flour"].pk): "5"}},
        status_of(Transfer, "moving"),
    ),
    "stocktake freeze": move("/api/v1/stocktakes/", lambda w: {"warehouse": w["dc"].pk}, count(Stocktake)),
    "stocktake counts": move(
        "/api/v1/stocktakes/{stocktake}/counts/",
        lambda w: {"quantities": {str(w["flour"].pk): "99"}},
        lambda w: tuple(w["stocktake"].lines.values_list("counted_quantity", flat=True)),
    ),
    "stocktake submit": move(
        "/api/v1/stocktakes/{stocktake}/submit/", lambda w: {"allow_uncounted": True}, status_of(Stocktake, "stocktake")
    ),
    "lot write-off": move(
        "/api/v1/lot-disposals/",
        lambda w: {"balance": w["lot"].pk, "kind": "write_off", "quantity": "1", "reason": "过期"},
        count(LotDisposal),
    ),
    # --- form posts -------------------------------------------------------------------------------------
    "page: stock adjustment": move(
        "/stock/documents/new/",
        lambda w: {"kind": "adjustment", "warehouse": w["wh"].pk, "note": "盘盈", "lines": "FLOUR 1"},
        count(StockMove),
    ),
    "page: new transfer": move(
        "/stock/transfers/new/",
        lambda w: {"source": w["wh"].pk, "destination": w["dc"].pk, "lines": "FLOUR 1"},
        count(Transfer),
    ),
    "page: send a transfer": move("/stock/transfers/{draft}/send/", lambda w: {}, status_of(Transfer, "draft")),
    "page: receive a transfer": move(
        "/stock/transfers/{moving}/receive/",
        lambda w: {f"r_{w['flour'].pk}": "5"},
        status_of(Transfer, "moving"),
    ),
    "page: freeze a stocktake": move(
        "/stock/stocktakes/new/", lambda w: {"warehouse": w["dc"].pk, "approval_threshold": "1000"}, count(Stocktake)
    ),
    "page: submit a stocktake": move(
        "/stock/stocktakes/{stocktake}/do/submit/",
        lambda w: {"allow_uncounted": "yes"},
        status_of(Stocktake, "stocktake"),
    ),
    "page: clear a lot": move(
        "/stock/lots/{lot}/clear/",
        lambda w: {"kind": "write_off", "quantity": "1", "reason": "过期"},
        count(LotDisposal),
    ),
}


def trail():
    """Everything a refused write must leave as it was."""
    return (
        AuditEvent.objects.count(),
        StockMove.objects.count(),
        LotDisposal.objects.count(),
        tuple(Transfer.objects.order_by("pk").values_list("pk", "status")),
        tuple(Stocktake.objects.order_by("pk").values_list("pk", "status")),
    )


def expected(write, role) -> Refused | None:
    """None if `role` may make `write`, else how it is refused."""
    if role in write.allowed:
        return None
    return refusal(write, 404 if write.page else 403)


@write_matrix.parametrize(MATRIX, ROLES)
def test_write_matrix(world, api, client, action, role):
    write_matrix.check(MATRIX[action], role, world, expected=expected, trail=trail, api=api, client=client)


def _export_headers(client) -> list[str]:
    response = client.get("/stock/?export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return [cell.value for cell in next(sheet.iter_rows(max_row=1))]


@pytest.mark.parametrize("role", ROLES)
def test_costs_are_shown_to_the_stock_roles_only(world, api, client, role):
    """The API, the export and a product's history carry costs for the roles that may see them."""
    user, sees = world["org"][role], role in SEES_COSTS
    rows = api(user).get("/api/v1/stock/").json()["results"]
    assert rows and all(("avg_cost" in row and "value" in row) == sees for row in rows)
    product = api(user).get(f"/api/v1/products/{world['flour'].pk}/").json()
    assert ("cost" in product) == sees
    history = api(user).get(f"/api/v1/products/{world['flour'].pk}/history/").json()["results"]
    assert any(change["field"] == "cost" for entry in history for change in entry["changes"]) == sees
    client.force_login(user)
    headers = _export_headers(client)
    assert ("Average cost" in headers and "Value" in headers) == sees, headers
