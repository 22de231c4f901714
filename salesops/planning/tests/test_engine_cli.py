"""The `salesops mrp` and `salesops aggregate-plan` commands on files."""

from __future__ import annotations

import json

import pytest

from salesops.cli import main


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def mrp_files(tmp_path):
    return {
        "items": write(
            tmp_path / "items.csv",
            "item,lead_time,lot_rule,lot_qty,on_hand,safety_stock\nA,1,LFL,,0,0\nB,1,FOQ,25,10,0\nC,2,LFL,0,40,5\n",
        ),
        "bom": write(tmp_path / "bom.csv", "parent,component,qty_per\nA,B,2\nA,C,1\nB,C,3\n"),
        "demand": write(tmp_path / "demand.csv", "item,period,quantity\nA,3,10\nA,5,20\n"),
    }


def mrp_args(files, tmp_path, *extra):
    return [
        "mrp",
        "--items", str(files["items"]),
        "--bom", str(files["bom"]),
        "--demand", str(files["demand"]),
        "--out", str(tmp_path / "planned.csv"),
        *extra,
    ]  # fmt: skip


def test_mrp_writes_planned_orders_and_records(mrp_files, tmp_path, capsys):
    code = main(mrp_args(mrp_files, tmp_path, "--records", str(tmp_path / "records.csv")))

    assert code == 0
    assert (tmp_path / "planned.csv").read_text() == (
        "item,release_period,receipt_period,quantity\n"
        "A,2,3,10\n"
        "A,4,5,20\n"
        "B,1,2,25\n"
        "B,3,4,25\n"
        "C,1,1,40\n"
        "C,1,2,10\n"
        "C,1,3,75\n"
        "C,2,4,20\n"
    )
    records = (tmp_path / "records.csv").read_text().splitlines()
    assert records[0] == (
        "item,period,low_level_code,gross_requirements,scheduled_receipts,projected_on_hand,"
        "net_requirements,planned_order_receipts,planned_order_releases"
    )
    assert len(records) == 1 + 3 * 5
    assert records[11:16] == [
        "C,1,2,75,0,5,40,40,125",
        "C,2,2,10,0,5,10,10,20",
        "C,3,2,75,0,5,75,75,0",
        "C,4,2,20,0,5,20,20,0",
        "C,5,2,0,0,5,0,0,0",
    ]
    out = capsys.readouterr().out
    assert (
        out.splitlines()[0]
        == "8 planned orders for 3 items over 5 periods; 2 past due, 0 reschedule in, 0 reschedule out"
    )


def test_mrp_nets_scheduled_receipts_and_prints_fractions(mrp_files, tmp_path):
    write(mrp_files["demand"], "item,period,quantity\nC,2,12.5\n")
    receipts = write(tmp_path / "receipts.csv", "item,period,quantity\nC,1,2.25\n")

    code = main(mrp_args(mrp_files, tmp_path, "--receipts", str(receipts)))

    # 40 + 2.25 - 12.5 = 29.75 on hand in period 2, above the safety stock: nothing to plan
    assert code == 0
    assert (tmp_path / "planned.csv").read_text() == "item,release_period,receipt_period,quantity\n"

    write(mrp_files["demand"], "item,period,quantity\nC,3,40\n")
    assert main(mrp_args(mrp_files, tmp_path, "--receipts", str(receipts))) == 0
    # 42.25 - 40 = 2.25, 2.75 short of the safety stock of 5
    assert (tmp_path / "planned.csv").read_text() == "item,release_period,receipt_period,quantity\nC,1,3,2.75\n"


@pytest.mark.parametrize(
    ("file", "content", "message"),
    [
        ("bom", "parent,component,qty_per\nA,Z,1\n", "bom.csv line 2: component 'Z' is not in items.csv"),
        ("bom", "parent,component,qty_per\nA,B,1\nB,A,1\n", "BOM cycle: A -> B -> A"),
        ("bom", "parent,component\nA,B\n", "bom.csv: missing column(s) qty_per"),
        ("bom", "parent,component,qty_per\nA,B,0\n", "bom.csv line 2: qty_per '0' is not a number above 0"),
        ("demand", "item,period,quantity\nA,0,5\n", "demand.csv line 2: period '0' is not an integer 1 or more"),
        ("demand", "item,period,quantity\nA,1,x\n", "demand.csv line 2: quantity 'x' is not a number 0 or more"),
        ("demand", "", "demand.csv: the file is empty (expected a header item,period,quantity)"),
        ("items", "item,lead_time,lot_rule\nA,1,EOQ\n", "items.csv line 2: lot_rule 'EOQ' is not LFL or FOQ"),
        ("items", "item,lead_time,lot_rule\nA,1,FOQ\n", "items.csv line 2: item 'A' is FOQ but lot_qty is not above 0"),
        ("items", "item,lead_time\nA,1\nA,2\n", "items.csv line 3: item 'A' appears twice"),
        ("items", "item,lead_time\nA,-1\n", "items.csv line 2: lead_time '-1' is not an integer 0 or more"),
    ],
)
def test_mrp_bad_input_is_one_line_on_stderr_with_status_2(mrp_files, tmp_path, capsys, file, content, message):
    write(mrp_files[file], content)

    code = main(mrp_args(mrp_files, tmp_path))

    assert code == 2
    err = capsys.readouterr().err
    assert err == f"salesops mrp: error: {message}\n"
    assert not (tmp_path / "planned.csv").exists()


def test_mrp_missing_file(mrp_files, tmp_path, capsys):
    mrp_files["bom"] = tmp_path / "nowhere.csv"
    assert main(mrp_args(mrp_files, tmp_path)) == 2
    assert capsys.readouterr().err == f"salesops mrp: error: {tmp_path / 'nowhere.csv'}: no such file\n"


def test_mrp_help_explains_the_files(capsys):
    with pytest.raises(SystemExit):
        main(["mrp", "--help"])
    out = capsys.readouterr().out
    assert "item,lead_time,lot_rule,lot_qty,on_hand,safety_stock" in out
    assert "--records RECORDS" in out


PLAN = {
    "demand": [1600, 3000, 3200, 3800, 2200, 2200],
    "initial_inventory": 1000,
    "initial_workforce": 80,
    "final_inventory_min": 500,
    "final_backlog_max": 0,
    "allow_backlog": True,
    "days_per_period": 20,
    "hours_per_day": 8,
    "overtime_hours_max_per_worker": 10,
    "labour_hours_per_unit": 4,
    "costs": {
        "material": 10,
        "holding": 2,
        "backlog": 5,
        "hire": 300,
        "layoff": 500,
        "regular_hour": 4,
        "overtime_hour": 6,
        "subcontract": 30,
    },
}


def test_aggregate_plan_writes_the_optimal_level_and_chase_plans(tmp_path, capsys):
    write(tmp_path / "plan.json", json.dumps(PLAN))

    code = main(["aggregate-plan", "--input", str(tmp_path / "plan.json"), "--out", str(tmp_path / "result.json")])

    assert code == 0
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["status"] == "optimal"
    assert result["total_cost"] == 422_660
    assert result["periods"] == [
        {"period": 1, "demand": 1600, "workforce": 64, "hired": 0, "laid_off": 16, "production": 2560,
         "overtime_hours": 0, "inventory": 1960, "backlog": 0, "subcontracted": 0},
        {"period": 2, "demand": 3000, "workforce": 64, "hired": 0, "laid_off": 0, "production": 2560,
         "overtime_hours": 0, "inventory": 1520, "backlog": 0, "subcontracted": 0},
        {"period": 3, "demand": 3200, "workforce": 64, "hired": 0, "laid_off": 0, "production": 2560,
         "overtime_hours": 0, "inventory": 880, "backlog": 0, "subcontracted": 0},
        {"period": 4, "demand": 3800, "workforce": 64, "hired": 0, "laid_off": 0, "production": 2560,
         "overtime_hours": 0, "inventory": 0, "backlog": 220, "subcontracted": 140},
        {"period": 5, "demand": 2200, "workforce": 64, "hired": 0, "laid_off": 0, "production": 2560,
         "overtime_hours": 0, "inventory": 140, "backlog": 0, "subcontracted": 0},
        {"period": 6, "demand": 2200, "workforce": 64, "hired": 0, "laid_off": 0, "production": 2560,
         "overtime_hours": 0, "inventory": 500, "backlog": 0, "subcontracted": 0},
    ]  # fmt: skip
    assert result["cost_breakdown"] == {
        "regular_time": 245760.0,
        "overtime": 0.0,
        "hiring": 0.0,
        "layoffs": 8000.0,
        "holding": 10000.0,
        "backlog": 1100.0,
        "material": 153600.0,
        "subcontracting": 4200.0,
    }
    assert result["level"]["total_cost"] == 424_900
    assert result["chase"]["total_cost"] == 484_720
    assert capsys.readouterr().out == "optimal cost 422660 (optimal); level 424900, chase 484720\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "plan.json: not valid JSON (Expecting property name enclosed in double quotes at line 1)"),
        (json.dumps({**PLAN, "hours_per_day": -1}), "hours_per_day must be above 0, not -1"),
        (json.dumps({k: v for k, v in PLAN.items() if k != "demand"}), "demand must be a non-empty list"),
        (
            json.dumps({**PLAN, "allow_backlog": False, "workforce_max": 60, "subcontract_max": 0}),
            "demand cannot be met without backlog: cumulative demand through period 4 (11600) exceeds the most "
            "that can be supplied by then (11200: initial inventory plus production at full overtime within "
            "workforce_max 60, subcontract_max 0 plus subcontracting)",
        ),
    ],
)
def test_aggregate_plan_bad_input_is_one_line_on_stderr_with_status_2(tmp_path, capsys, content, message):
    write(tmp_path / "plan.json", content)

    code = main(["aggregate-plan", "--input", str(tmp_path / "plan.json"), "--out", str(tmp_path / "result.json")])

    assert code == 2
    assert capsys.readouterr().err.startswith(f"salesops aggregate-plan: error: {message}")
    assert not (tmp_path / "result.json").exists()
