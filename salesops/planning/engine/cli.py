"""The `salesops mrp` and `salesops aggregate-plan` subcommands (files in, files out).

Both work without the database. Problems with the input files raise ValueError (or
FileNotFoundError) with a one-line message; `salesops.cli.main` prints it on stderr and
exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

MRP_HELP = """\
Regenerative MRP over a multi-level BOM (low-level codes; LFL and FOQ lots; safety stock).

input files (CSV with a header line; periods are integers from 1):
  items.csv     item,lead_time,lot_rule,lot_qty,on_hand,safety_stock
                lot_rule LFL or FOQ (default LFL); lot_qty, on_hand, safety_stock default 0;
                FOQ orders the smallest multiple of lot_qty that covers the net requirement
  bom.csv       parent,component,qty_per
  demand.csv    item,period,quantity      independent gross demand
  receipts.csv  item,period,quantity      scheduled receipts (open orders)
The horizon runs to the last period in demand.csv or receipts.csv.

output files:
  planned.csv   item,release_period,receipt_period,quantity  sorted by item, then period;
                an order that should have been released before period 1 is released in
                period 1 and counted as past due in the summary
  records.csv   item,period,low_level_code,gross_requirements,scheduled_receipts,
                projected_on_hand,net_requirements,planned_order_receipts,planned_order_releases
"""

AGGREGATE_HELP = """\
Aggregate production plan: the cost-minimal plan (integer LP solved with HiGHS) and the
pure level and chase plans for comparison.

plan.json keys: demand (list, one number per period), initial_inventory, initial_workforce,
  final_inventory_min, final_backlog_max, allow_backlog, days_per_period, hours_per_day,
  overtime_hours_max_per_worker, labour_hours_per_unit,
  costs {material, holding, backlog, hire, layoff, regular_hour, overtime_hour, subcontract},
  integer (default true); optional limits: workforce_max, hire_max, layoff_max,
  subcontract_max (per period).
result.json: status, integer, total_cost, cost_breakdown, periods (period, demand, workforce,
  hired, laid_off, production, overtime_hours, inventory, backlog, subcontracted), notes, and
  the same for "level" and "chase".
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    mrp = subparsers.add_parser(
        "mrp",
        help="plan material requirements from CSV files",
        description=MRP_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    mrp.add_argument("--items", required=True, type=Path, help="items.csv: item master (lead time, lot rule, stock)")
    mrp.add_argument("--bom", required=True, type=Path, help="bom.csv: parent,component,qty_per")
    mrp.add_argument("--demand", required=True, type=Path, help="demand.csv: independent demand by item and period")
    mrp.add_argument("--receipts", type=Path, help="receipts.csv: scheduled receipts by item and period (optional)")
    mrp.add_argument("--out", required=True, type=Path, help="planned.csv to write: the planned orders")
    mrp.add_argument("--records", type=Path, help="records.csv to write: the full MRP record (optional)")
    mrp.set_defaults(handler=run_mrp_command)

    aggregate = subparsers.add_parser(
        "aggregate-plan",
        help="optimal, level and chase aggregate production plans from a JSON file",
        description=AGGREGATE_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    aggregate.add_argument("--input", required=True, type=Path, help="plan.json: demand, workforce, costs, limits")
    aggregate.add_argument("--out", required=True, type=Path, help="result.json to write")
    aggregate.set_defaults(handler=run_aggregate_command)


def run_mrp_command(args: argparse.Namespace) -> int:
    from salesops.planning.engine.mrp import run_mrp
    from salesops.planning.engine.mrp_io import read_mrp_csv, write_planned_orders, write_records

    problem = read_mrp_csv(items=args.items, bom=args.bom, demand=args.demand, receipts=args.receipts)
    bar = None
    if sys.stderr.isatty() and problem.n_items >= 1000:
        from tqdm import tqdm

        bar = tqdm(total=problem.n_items, unit="item", desc="mrp", leave=False)
    try:
        result = run_mrp(problem=problem, progress=bar.update if bar is not None else None)
    finally:
        if bar is not None:
            bar.close()
    write_planned_orders(result=result, path=args.out)
    if args.records is not None:
        write_records(result=result, path=args.records)
    orders = result.planned_orders
    counts: dict[str, int] = {}
    for exception in result.exceptions:
        counts[exception.kind] = counts.get(exception.kind, 0) + 1
    print(
        f"{len(orders)} planned orders for {problem.n_items} items over {problem.n_periods} periods; "
        f"{counts.get('past_due', 0)} past due, {counts.get('reschedule_in', 0)} reschedule in, "
        f"{counts.get('reschedule_out', 0)} reschedule out"
    )
    for exception in result.exceptions[:20]:
        print(f"  {exception.kind}: {exception.message}")
    if len(result.exceptions) > 20:
        print(f"  … and {len(result.exceptions) - 20} more")
    return 0


def run_aggregate_command(args: argparse.Namespace) -> int:
    from salesops.planning.engine.aggregate import AggregatePlanInput, plan_aggregate, result_to_dict

    if not args.input.is_file():
        raise FileNotFoundError(f"{args.input}: no such file")
    try:
        data = json.loads(args.input.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{args.input.name}: not valid JSON ({error.msg} at line {error.lineno})")
    result = plan_aggregate(plan=AggregatePlanInput.from_dict(data))
    document = result_to_dict(result)
    args.out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(
        f"optimal cost {document['total_cost']} ({document['status']}); "
        f"level {document['level']['total_cost']}, chase {document['chase']['total_cost']}"
    )
    return 0
