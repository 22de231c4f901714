import csv

import numpy as np
import pytest

from salesops.cli import main


def write(path, rows, header="outlet,lat,lon,class"):
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")


def test_routes_command_writes_the_plan(tmp_path, capsys):
    rng = np.random.default_rng(1)
    rows = [
        f"S{i},{31.23 + rng.uniform(-0.02, 0.02):.6f},{121.47 + rng.uniform(-0.02, 0.02):.6f},{'ABCCC'[i % 5]}"
        for i in range(20)
    ]
    write(tmp_path / "outlets.csv", rows)
    code = main(
        ["routes", "--outlets", str(tmp_path / "outlets.csv"), "--out", str(tmp_path / "plan.csv"), "--time-limit", "2"]
    )
    assert code == 0
    plan = list(csv.DictReader((tmp_path / "plan.csv").open()))
    assert list(plan[0]) == ["day", "route", "sequence", "outlet"]
    per_outlet = {}
    for row in plan:
        assert row["route"] == f"T{row['day']}"
        per_outlet[row["outlet"]] = per_outlet.get(row["outlet"], 0) + 1
    assert per_outlet["S0"] == 6 and per_outlet["S1"] == 4 and per_outlet["S2"] == 1
    assert len(plan) == 4 * 6 + 4 * 4 + 12 * 1
    assert "travel" in capsys.readouterr().err


@pytest.mark.parametrize(
    "rows,message",
    [
        (["X,31.2,121.4,D"], "unknown class 'D'"),
        (["X,91,121.4,A"], "out of range"),
        (["X,abc,121.4,A"], "are not numbers"),
        (["X,31.2,121.4,A", "Y,39.9,116.4,C"], "'Y' cannot fit in a day"),
    ],
)
def test_routes_command_refuses_bad_input(tmp_path, capsys, rows, message):
    write(tmp_path / "outlets.csv", rows)
    code = main(
        [
            "routes",
            "--outlets",
            str(tmp_path / "outlets.csv"),
            "--out",
            str(tmp_path / "plan.csv"),
            "--time-limit",
            "1",
            "--depot",
            "31.2,121.4",
        ]
    )
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "plan.csv").exists()


def test_routes_command_writes_formula_looking_outlets_as_text(tmp_path):
    write(tmp_path / "outlets.csv", ['"=HYPERLINK(""http://x"")",31.23,121.47,C', "@SUM(A1),31.231,121.471,C"])
    code = main(
        ["routes", "--outlets", str(tmp_path / "outlets.csv"), "--out", str(tmp_path / "plan.csv"), "--time-limit", "1"]
    )
    assert code == 0
    outlets = {row["outlet"] for row in csv.DictReader((tmp_path / "plan.csv").open(newline=""))}
    assert outlets == {"'=HYPERLINK(\"http://x\")", "'@SUM(A1)"}


def test_the_engine_still_imports_no_django():
    import subprocess
    import sys

    code = "import sys, salesops.field.engine.cli; sys.exit('django' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
