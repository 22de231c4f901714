"""The S&OP pack's chart per family: every series has one value per month on the axis, and a
month without data is drawn as no data (null), never as 0, however many months the pack holds."""

import json
from types import SimpleNamespace

from salesops.planning.views import _pack_context


def test_each_series_has_a_value_per_month_and_no_data_is_null():
    family = {
        "id": 7,
        "actuals": [{"month": "2026-10", "quantity": 120}, {"month": "2026-11", "quantity": 0}],
        "future": [{"month": f"2027-0{m}", "demand": 90 + m, "inventory": 40 - m} for m in range(1, 5)],
    }
    option = json.loads(_pack_context(SimpleNamespace(data={"families": [family]}))["charts"][7])
    months = option["xAxis"]["data"]
    assert months == ["2026-10", "2026-11", "2027-01", "2027-02", "2027-03", "2027-04"]
    actual, demand, inventory = (series["data"] for series in option["series"])
    assert actual == [120, 0, None, None, None, None]  # a real 0 stays 0; the future has no actuals
    assert demand == [None, None, 91, 92, 93, 94]
    assert inventory == [None, None, 39, 38, 37, 36]
