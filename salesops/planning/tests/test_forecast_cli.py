"""`salesops forecast` on CSV files."""

from __future__ import annotations

import pytest

from salesops.cli import main

SEASON = [10, 12, 15, 20, 26, 30, 28, 24, 18, 14, 11, 9]


def write_history(path, rows):
    path.write_text("series,period,quantity\n" + "".join(f"{s},{p},{q}\n" for s, p, q in rows))


def months_2023():
    return [f"2023-{m:02d}" for m in range(1, 13)]


def test_seasonal_naive_forecast_file(tmp_path):
    # given a year of a seasonal product (one month recorded in two rows) and a new product
    history = tmp_path / "history.csv"
    rows = [("P1", period, value) for period, value in zip(months_2023(), SEASON, strict=True)]
    rows[0] = ("P1", "2023-01", 4)
    rows.append(("P1", "2023-01", 6))
    rows += [("NEW", "2023-11", 2), ("NEW", "2023-12", "3.5")]
    write_history(history, rows)
    out = tmp_path / "forecast.csv"

    # when
    code = main(
        ["forecast", "--history", str(history), "--horizon", "3", "--model", "seasonal_naive", "--out", str(out)]
    )

    # then
    assert code == 0
    assert out.read_text() == (
        "series,period,forecast,model\n"
        "NEW,2024-01,2.750,mean\n"
        "NEW,2024-02,2.750,mean\n"
        "NEW,2024-03,2.750,mean\n"
        "P1,2024-01,10.000,seasonal_naive\n"
        "P1,2024-02,12.000,seasonal_naive\n"
        "P1,2024-03,15.000,seasonal_naive\n"
    )


def test_auto_forecast_file_has_one_row_per_series_and_period(tmp_path):
    history = tmp_path / "history.csv"
    periods = [f"{year}-{month:02d}" for year in (2022, 2023) for month in range(1, 13)]
    pairs = zip(periods, SEASON * 2, strict=True)
    rows = [("S", period, value + 3 * i // 12) for i, (period, value) in enumerate(pairs)]
    rows += [("I", period, 6) for period in periods[::5]]
    rows += [("Z", "2022-01", 0)]
    write_history(history, rows)
    out = tmp_path / "forecast.csv"

    code = main(
        [
            "forecast",
            "--history",
            str(history),
            "--horizon",
            "2",
            "--season-length",
            "12",
            "--out",
            str(out),
            "--jobs",
            "1",
        ]
    )

    assert code == 0
    lines = out.read_text().splitlines()
    assert lines[0] == "series,period,forecast,model"
    rows_out = [line.split(",") for line in lines[1:]]
    assert [(series, period) for series, period, _, _ in rows_out] == [
        ("I", "2024-01"),
        ("I", "2024-02"),
        ("S", "2024-01"),
        ("S", "2024-02"),
        ("Z", "2024-01"),
        ("Z", "2024-02"),
    ]
    assert {series: model for series, _, _, model in rows_out} == {
        "I": "croston",
        "S": rows_out[2][3],
        "Z": "zero",
    }
    assert rows_out[2][3] in {"ets", "theta", "seasonal_naive"}
    assert all(float(forecast) >= 0 and len(forecast.split(".")[1]) == 3 for _, _, forecast, _ in rows_out)


def test_header_only_history_gives_header_only_forecast(tmp_path):
    history = tmp_path / "history.csv"
    history.write_text("series,period,quantity\n")
    out = tmp_path / "forecast.csv"

    assert main(["forecast", "--history", str(history), "--horizon", "3", "--out", str(out)]) == 0

    assert out.read_text() == "series,period,forecast,model\n"


@pytest.mark.parametrize(
    ("content", "arguments", "message"),
    [
        (
            "series,month,quantity\nA,2024-01,1\n",
            [],
            "missing column(s) period (expected a header with series,period,quantity)",
        ),
        ("series,period,quantity\nA,2024-13,1\n", [], "period '2024-13' is not a month written YYYY-MM"),
        ("series,period,quantity\nA,2024/01,1\n", [], "period '2024/01' is not a month written YYYY-MM"),
        ("series,period,quantity\nA,2024-01,1\nA,2024-02,lots\n", [], ":3: quantity 'lots' is not a number"),
        ("series,period,quantity\n,2024-01,1\n", [], ":2: empty series"),
        ("series,period,quantity\nA,2024-01,1\n", ["--horizon", "0"], "--horizon must be at least 1, got 0"),
        ("series,period,quantity\nA,2024-01,1\n", ["--season-length", "0"], "--season-length must be at least 1"),
        ("", [], "empty file"),
    ],
)
def test_bad_input_is_a_one_line_error_with_exit_code_2(tmp_path, capsys, content, arguments, message):
    history = tmp_path / "history.csv"
    history.write_text(content)
    out = tmp_path / "forecast.csv"
    argv = ["forecast", "--history", str(history), "--horizon", "3", "--out", str(out)]

    code = main(argv + arguments)

    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("salesops forecast: error: ")
    assert message in err
    assert err.count("\n") == 1
    assert not out.exists()


def test_help_explains_columns_and_models(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["forecast", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "series,period,quantity" in out
    assert "series,period,forecast,model" in out
    assert "{auto,seasonal_naive,ets,theta,arima,croston}" in out
