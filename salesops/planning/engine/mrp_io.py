"""MRP input and output as CSV files (the formats of the `salesops mrp` command).

items.csv     item,lead_time[,lot_rule,lot_qty,on_hand,safety_stock,min_order_qty,order_multiple,yield]
              lot_rule LFL (default) or FOQ; lot_qty, on_hand, safety_stock, min_order_qty and
              order_multiple default to 0; yield (0 < yield <= 1) to 1
bom.csv       parent,component,qty_per          (repeated lines add up)
demand.csv    item,period,quantity              independent gross demand; periods from 1
receipts.csv  item,period,quantity              scheduled receipts (open orders)
planned.csv   item,release_period,receipt_period,quantity   sorted by item, then period
records.csv   item,period,low_level_code,gross_requirements,scheduled_receipts,
              projected_on_hand,net_requirements,planned_order_receipts,planned_order_releases

The horizon is the last period that appears in demand.csv or receipts.csv. Every problem
with a file is reported as one MrpInputError (a ValueError) naming the file, the line and
the value, so the command can print it as one line.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from salesops.planning.engine.mrp import LOT_RULES, MrpInputError, MrpProblem, MrpResult

ITEM_COLUMNS = (
    "item",
    "lead_time",
    "lot_rule",
    "lot_qty",
    "on_hand",
    "safety_stock",
    "min_order_qty",
    "order_multiple",
    "yield",
)
PLANNED_COLUMNS = ("item", "release_period", "receipt_period", "quantity")
RECORD_COLUMNS = (
    "gross_requirements",
    "scheduled_receipts",
    "projected_on_hand",
    "net_requirements",
    "planned_order_receipts",
    "planned_order_releases",
)


def _read(path: Path | str, *, required: tuple[str, ...]) -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    try:
        # Codes stay text; numeric columns are parsed by pandas' C parser (fast) and only
        # re-read as text when a bad value has to be located. Only empty cells are missing.
        frame = pd.read_csv(
            path,
            dtype={"item": str, "parent": str, "component": str, "lot_rule": str},
            keep_default_na=False,
            na_values=[""],
            skipinitialspace=True,
        )
    except pd.errors.EmptyDataError:
        raise MrpInputError(f"{path.name}: the file is empty (expected a header {','.join(required)})")
    except pd.errors.ParserError as error:
        raise MrpInputError(f"{path.name}: not a readable CSV file ({str(error).strip()})")
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise MrpInputError(f"{path.name}: missing column(s) {', '.join(missing)}")
    for column in ("item", "parent", "component", "lot_rule"):
        if column in frame.columns:
            frame[column] = frame[column].fillna("").str.strip()
    return frame


def _numbers(
    frame: pd.DataFrame,
    column: str,
    *,
    file: str,
    default: float | None = None,
    integer: bool = False,
    minimum: float = 0.0,
    strict_minimum: bool = False,
) -> np.ndarray:
    if column not in frame.columns:
        if default is None:
            raise MrpInputError(f"{file}: missing column {column}")
        return np.full(len(frame), default, dtype=np.float64)
    raw = frame[column]
    if pd.api.types.is_numeric_dtype(raw.dtype):
        values = raw.to_numpy(dtype=np.float64)
    else:
        values = pd.to_numeric(raw.astype(str).str.strip(), errors="coerce").to_numpy(dtype=np.float64)
        values[raw.isna().to_numpy()] = np.nan
    if default is not None:
        values = np.where(np.isnan(values) & raw.isna().to_numpy(), default, values)
    bad = ~np.isfinite(values)
    if integer:
        bad |= values != np.round(values)
    bad |= (values <= minimum) if strict_minimum else (values < minimum)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        kind = "an integer" if integer else "a number"
        bound = f"above {minimum:g}" if strict_minimum else f"{minimum:g} or more"
        shown = frame[column].iloc[row]
        if pd.isna(shown):
            shown = ""
        elif isinstance(shown, int | float | np.number):
            shown = f"{float(shown):g}"
        raise MrpInputError(f"{file} line {row + 2}: {column} {str(shown)!r} is not {kind} {bound}")
    return values


def _item_index(items: pd.Index, codes: pd.Series, *, file: str, column: str) -> np.ndarray:
    index = items.get_indexer(codes)
    unknown = index < 0
    if unknown.any():
        row = int(np.flatnonzero(unknown)[0])
        raise MrpInputError(f"{file} line {row + 2}: {column} {codes.iloc[row]!r} is not in items.csv")
    return index


def _by_period(frame: pd.DataFrame, *, items: pd.Index, file: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    item = _item_index(items, frame["item"], file=file, column="item")
    period = _numbers(frame, "period", file=file, integer=True, minimum=1).astype(np.int64)
    quantity = _numbers(frame, "quantity", file=file)
    return item, period, quantity


def read_mrp_csv(
    *,
    items: Path | str,
    bom: Path | str,
    demand: Path | str,
    receipts: Path | str | None = None,
) -> MrpProblem:
    """Read and check the MRP input files; raises MrpInputError or FileNotFoundError."""
    item_frame = _read(items, required=("item", "lead_time"))
    bom_frame = _read(bom, required=("parent", "component", "qty_per"))
    demand_frame = _read(demand, required=("item", "period", "quantity"))
    receipt_frame = _read(receipts, required=("item", "period", "quantity")) if receipts is not None else None

    codes = item_frame["item"]
    if (codes == "").any():
        row = int(np.flatnonzero(codes == "")[0])
        raise MrpInputError(f"items.csv line {row + 2}: empty item code")
    duplicated = codes.duplicated()
    if duplicated.any():
        row = int(np.flatnonzero(duplicated)[0])
        raise MrpInputError(f"items.csv line {row + 2}: item {codes.iloc[row]!r} appears twice")
    index = pd.Index(codes)

    lead_time = _numbers(item_frame, "lead_time", file="items.csv", integer=True).astype(np.int64)
    if "lot_rule" in item_frame.columns:
        lot_rule = item_frame["lot_rule"].str.upper().replace("", "LFL").to_numpy(dtype=object)
    else:
        lot_rule = np.full(len(item_frame), "LFL", dtype=object)
    bad_rule = ~np.isin(lot_rule, LOT_RULES)
    if bad_rule.any():
        row = int(np.flatnonzero(bad_rule)[0])
        raise MrpInputError(
            f"items.csv line {row + 2}: lot_rule {item_frame['lot_rule'].iloc[row]!r} is not LFL or FOQ"
        )
    lot_qty = _numbers(item_frame, "lot_qty", file="items.csv", default=0)
    bad_lot = (lot_rule == "FOQ") & (lot_qty <= 0)
    if bad_lot.any():
        row = int(np.flatnonzero(bad_lot)[0])
        raise MrpInputError(f"items.csv line {row + 2}: item {codes.iloc[row]!r} is FOQ but lot_qty is not above 0")
    on_hand = _numbers(item_frame, "on_hand", file="items.csv", default=0)
    safety_stock = _numbers(item_frame, "safety_stock", file="items.csv", default=0)
    min_order_qty = _numbers(item_frame, "min_order_qty", file="items.csv", default=0)
    order_multiple = _numbers(item_frame, "order_multiple", file="items.csv", default=0)
    yield_rate = _numbers(item_frame, "yield", file="items.csv", default=1, strict_minimum=True)
    if (yield_rate > 1).any():
        row = int(np.flatnonzero(yield_rate > 1)[0])
        raise MrpInputError(f"items.csv line {row + 2}: yield {yield_rate[row]!r} is above 1")

    parent = _item_index(index, bom_frame["parent"], file="bom.csv", column="parent")
    component = _item_index(index, bom_frame["component"], file="bom.csv", column="component")
    qty_per = _numbers(bom_frame, "qty_per", file="bom.csv", strict_minimum=True)

    d_item, d_period, d_qty = _by_period(demand_frame, items=index, file="demand.csv")
    if receipt_frame is not None:
        r_item, r_period, r_qty = _by_period(receipt_frame, items=index, file="receipts.csv")
    else:
        r_item, r_period, r_qty = (np.zeros(0, dtype=np.int64),) * 2 + (np.zeros(0),)
    periods = int(max(d_period.max(initial=0), r_period.max(initial=0)))
    if periods == 0:
        raise MrpInputError("demand.csv and receipts.csv have no rows: no periods to plan")

    n = len(index)
    demand_matrix = np.zeros((n, periods))
    np.add.at(demand_matrix, (d_item, d_period - 1), d_qty)
    receipt_matrix = np.zeros((n, periods))
    np.add.at(receipt_matrix, (r_item, r_period - 1), r_qty)
    return MrpProblem(
        items=codes.tolist(),
        lead_time=lead_time,
        lot_rule=lot_rule.astype(str),
        lot_qty=lot_qty,
        on_hand=on_hand,
        safety_stock=safety_stock,
        bom_parent=parent.astype(np.int64),
        bom_component=component.astype(np.int64),
        bom_qty_per=qty_per,
        demand=demand_matrix,
        receipts=receipt_matrix,
        min_order_qty=min_order_qty,
        order_multiple=order_multiple,
        yield_rate=yield_rate,
    )


def _quantity_text(values: np.ndarray) -> list[str]:
    """Whole numbers as integers, others with up to 6 decimals and no trailing zeros."""
    rounded = np.round(values, 6) + 0.0  # + 0.0 turns -0.0 into 0.0
    if np.all(rounded == np.round(rounded)):
        return list(map(str, rounded.astype(np.int64).tolist()))
    return [f"{v:.6f}".rstrip("0").rstrip(".") for v in rounded.tolist()]


def _write_rows(path: Path | str, header: tuple[str, ...], columns: list[list[str]]) -> None:
    # Speed: joining pre-formatted text columns is several times faster than DataFrame.to_csv
    # on the ~10^6 rows of a large run. Item codes are quoted when they need it.
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(",".join(header) + "\n")
        if columns and columns[0]:
            out.write("\n".join(map(",".join, zip(*columns, strict=True))))
            out.write("\n")


def _small_ints(values: np.ndarray) -> list[str]:
    """Periods and codes as text through a lookup table (they take few distinct values)."""
    if values.size == 0:
        return []
    table = [str(k) for k in range(int(values.max()) + 1)]
    return [table[k] for k in values.tolist()]


def _csv_text(values: list[str]) -> list[str]:
    special = ('"', ",", "\n", "\r")
    return ['"' + v.replace('"', '""') + '"' if any(ch in v for ch in special) else v for v in values]


def planned_orders_frame(*, result: MrpResult) -> pd.DataFrame:
    """The planned orders as planned.csv has them (for callers that want a DataFrame)."""
    orders = result.planned_orders
    return pd.DataFrame(
        {
            "item": np.asarray(result.items, dtype=object)[orders.item],
            "release_period": orders.release_period,
            "receipt_period": orders.receipt_period,
            "quantity": pd.to_numeric(pd.Series(_quantity_text(orders.quantity))),
        }
    )


def write_planned_orders(*, result: MrpResult, path: Path | str) -> None:
    orders = result.planned_orders
    codes = np.asarray(_csv_text(list(result.items)), dtype=object)
    _write_rows(
        path,
        PLANNED_COLUMNS,
        [
            codes[orders.item].tolist(),
            _small_ints(orders.release_period),
            _small_ints(orders.receipt_period),
            _quantity_text(orders.quantity),
        ],
    )


def write_records(*, result: MrpResult, path: Path | str) -> None:
    """One row per item and period, items in item-code order."""
    n, periods = result.records.gross_requirements.shape
    item_order = np.argsort(np.asarray(result.items, dtype=object), kind="stable")
    codes = np.asarray(_csv_text(list(result.items)), dtype=object)
    columns = [
        np.repeat(codes[item_order], periods).tolist(),
        _small_ints(np.tile(np.arange(1, periods + 1), n)),
        _small_ints(np.repeat(result.low_level_code[item_order], periods)),
    ]
    for name in RECORD_COLUMNS:
        columns.append(_quantity_text(getattr(result.records, name)[item_order].ravel()))
    _write_rows(path, ("item", "period", "low_level_code", *RECORD_COLUMNS), columns)
