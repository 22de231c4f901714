"""The demo's supply and S&OP numbers are believable: stock, demand, capacity and costs sized to
each other (the issue: 100,000 bags against 100 a month of demand, 1,023,696 days of cover and
flat charts).

Bounds, and why:
- cover of each finished product that was ordered in the last 90 days: 14 to 91 days (2 to 13
  weeks). Below two weeks a monthly plan split into weekly buckets with lead times of up to
  five days has no safety stock left; beyond 13 weeks the stock outlives the M+3 planning
  horizon and half of flour's 180-day shelf life. The supply step aims at 24-45 days, above the
  S&OP families' targets of 20-30 days; the median is about 6 weeks, and a few products whose
  last 90 days were thin (one big order waiting for credit approval, the fortnightly production
  receipts) sit between 10 and 13 weeks, hence the upper bound.
- bought components of the made products: 1 to 8 weeks of the current requirement.
- the monthly demand history has a season: the largest full month at least 1.8 times the
  smallest, and the Spring Festival months (Dec-Feb) half as big again as the summer (Jun-Aug).
- the aggregate plan is solved, produces every month and keeps a crew every month.
- every family's forecast (and the total) is the sum of its products'.
- the S&OP pack of this month: supply (the MPS, the purchase orders of bought goods) keeps every
  family's projected stock at or above zero and its cover at target; only the launches, with
  no stock yet, show gaps, and the pack holds the decision about them.

Loading the whole demo takes about two minutes: one test does it once and checks everything.
"""

import statistics

import pytest
from django.test.utils import override_settings

from salesops.demo.figures import demo_figures
from salesops.demo.loader import DemoContext, load_demo
from salesops.planning.models import SopDecision
from salesops.planning.periods import month_start

COVER_DAYS = (14, 91)
RAW_COVER_WEEKS = (1, 8)
SEASON_RATIO_MIN = 1.8


@pytest.mark.django_db(transaction=False)
@override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
def test_demo_believable():
    ctx = DemoContext()
    load_demo(ctx=ctx, progress=lambda _text: None)
    figures = demo_figures(today=ctx.today)

    cover = {sku: days for sku, days in figures["cover"].items() if days is not None}
    assert len(cover) >= 25, figures["cover"]
    outside = {sku: days for sku, days in cover.items() if not COVER_DAYS[0] <= days <= COVER_DAYS[1]}
    assert outside == {}, f"cover outside {COVER_DAYS} days: {outside}"

    raw = {sku: weeks for sku, weeks in figures["raw_cover_weeks"].items() if weeks is not None}
    assert raw
    outside = {sku: weeks for sku, weeks in raw.items() if not RAW_COVER_WEEKS[0] <= weeks <= RAW_COVER_WEEKS[1]}
    assert outside == {}, f"components outside {RAW_COVER_WEEKS} weeks of their requirement: {outside}"

    monthly = figures["monthly"]
    assert all(quantity > 0 for quantity in monthly.values()), monthly
    assert figures["season_ratio"] >= SEASON_RATIO_MIN, monthly
    winter = statistics.mean(q for month, q in monthly.items() if month[5:] in {"12", "01", "02"})
    summer = statistics.mean(q for month, q in monthly.items() if month[5:] in {"06", "07", "08"})
    assert winter >= 1.5 * summer, monthly

    plan = figures["aggregate"]
    assert plan is not None and plan["status"] == "solved", plan
    assert len(plan["production"]) == 6
    assert all(units > 0 for units in plan["production"]), plan
    assert all(workers > 0 for workers in plan["workforce"]), plan
    assert all(units > 0 for units in plan["demand"]), plan

    assert figures["family_mismatches"] == []
    pack = {family["family"]: family for family in figures["sop_pack"]}
    for code in ("FLOUR", "NOODLE", "OIL"):
        assert 0 < pack[code]["on_hand"] < 10 * max(pack[code]["demand"]), pack[code]
        assert any(quantity > 0 for quantity in pack[code]["actuals"]), pack[code]
    # supply covers every family's months, bought seasonings too; only the launches, which have
    # no stock yet, show gaps, and the open pack records the decision about them
    assert {code for code, family in pack.items() if family["gaps"]} == {"NEW"}, pack
    assert all(quantity >= 0 for code, family in pack.items() if code != "NEW" for quantity in family["inventory"])
    assert SopDecision.objects.filter(pack__month=month_start(ctx.today), family__code="NEW").exists()
