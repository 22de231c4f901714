"""`salesops abc` on CSV files."""

from __future__ import annotations

import csv

import pytest

from salesops.cli import main


def test_writes_ranked_classes_with_four_decimal_shares(tmp_path):
    # given
    source = tmp_path / "values.csv"
    source.write_text(
        "entity,value,region\nStore C,150,east\nStore A,600,west\nStore B,150,north\nStore D,100.50,east\n"
    )
    target = tmp_path / "classes.csv"

    # when
    code = main(["abc", "--input", str(source), "--cutoffs", "40,80", "--out", str(target)])

    # then: total 1000.5
    assert code == 0
    assert target.read_text() == (
        "entity,value,share,cumulative_share,class\n"
        "Store A,600,59.9700,59.9700,A\n"
        "Store B,150,14.9925,74.9625,B\n"
        "Store C,150,14.9925,89.9550,B\n"
        "Store D,100.50,10.0450,100.0000,C\n"
    )


def test_default_cutoffs_are_40_and_80(tmp_path):
    source = tmp_path / "values.csv"
    source.write_text("entity,value\na,40\nb,20\nc,20\nd,20\n")
    target = tmp_path / "classes.csv"

    assert main(["abc", "--input", str(source), "--out", str(target)]) == 0

    assert target.read_text() == (
        "entity,value,share,cumulative_share,class\n"
        "a,40,40.0000,40.0000,A\n"
        "b,20,20.0000,60.0000,B\n"
        "c,20,20.0000,80.0000,B\n"
        "d,20,20.0000,100.0000,C\n"
    )


def test_empty_file_gives_header_only(tmp_path):
    source = tmp_path / "values.csv"
    source.write_text("entity,value\n")
    target = tmp_path / "classes.csv"

    assert main(["abc", "--input", str(source), "--out", str(target)]) == 0

    assert target.read_text() == "entity,value,share,cumulative_share,class\n"


@pytest.mark.parametrize(
    ("content", "cutoffs", "message"),
    [
        ("name,value\na,1\n", "40,80", "missing column(s) entity (expected a header with entity,value)"),
        ("entity,value\na,1\nb,x\n", "40,80", ":3: value 'x' is not a number"),
        ("entity,value\na,1\nb,-1\n", "40,80", "value of 'b' is negative (-1); ABC needs non-negative values"),
        ("entity,value\na,1\na,2\n", "40,80", "entity 'a' appears more than once"),
        ("entity,value\na,1\n", "80,40", "A cut-off (80) must be below the B cut-off (40)"),
        ("entity,value\na,1\n", "40,120", "B cut-off must be a percentage in (0, 100], got 120"),
        ("entity,value\na,1\n", "40", "--cutoffs must be two percentages 'A,B' such as 40,80, got '40'"),
        ("entity,value\na,1\n", "4o,80", "--cutoffs must be two numbers 'A,B' such as 40,80, got '4o,80'"),
    ],
)
def test_bad_input_is_a_one_line_error_with_exit_code_2(tmp_path, capsys, content, cutoffs, message):
    source = tmp_path / "values.csv"
    source.write_text(content)
    target = tmp_path / "classes.csv"

    code = main(["abc", "--input", str(source), "--cutoffs", cutoffs, "--out", str(target)])

    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("salesops abc: error: ")
    assert message in err
    assert err.count("\n") == 1
    assert not target.exists()


def test_missing_input_file_is_an_error(tmp_path, capsys):
    code = main(["abc", "--input", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "out.csv")])
    assert code == 2
    assert capsys.readouterr().err.startswith("salesops abc: error: ")


def test_help_explains_the_rule(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["abc", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "cumulative share of the entities ranked above" in out
    assert "entity,value,share,cumulative_share,class" in out


def test_equal_values_are_ranked_by_entity_name_not_by_input_order(tmp_path):
    source = tmp_path / "values.csv"
    source.write_text("entity,value\nzeta,10\nalpha,10.0\nmid,5\nbeta,10\n")
    target = tmp_path / "classes.csv"

    assert main(["abc", "--input", str(source), "--cutoffs", "40,80", "--out", str(target)]) == 0

    # shares above: alpha 0, beta 28.6, zeta 57.1, mid 85.7
    assert target.read_text() == (
        "entity,value,share,cumulative_share,class\n"
        "alpha,10.0,28.5714,28.5714,A\n"
        "beta,10,28.5714,57.1429,A\n"
        "zeta,10,28.5714,85.7143,B\n"
        "mid,5,14.2857,100.0000,C\n"
    )


def test_formula_looking_cells_are_written_as_text(tmp_path):
    # an entity named like a formula stays a name in a spreadsheet; numbers (signed too) stay numbers
    source = tmp_path / "values.csv"
    source.write_text('entity,value\n"=HYPERLINK(""http://x"",""go"")",+60\n@SUM(A1),30\n-cmd,10\n')
    target = tmp_path / "classes.csv"

    assert main(["abc", "--input", str(source), "--cutoffs", "40,80", "--out", str(target)]) == 0

    rows = list(csv.reader(target.open(newline="")))
    assert [row[:2] for row in rows[1:]] == [
        ['\'=HYPERLINK("http://x","go")', "+60"],
        ["'@SUM(A1)", "30"],
        ["'-cmd", "10"],
    ]
