"""`salesops abc`: ABC classification of any `entity,value` CSV file.

Input: a CSV file with a header containing the columns ``entity`` and ``value`` (other
columns are ignored); one row per entity, values non-negative numbers.

Output: a CSV file with the columns ``entity,value,share,cumulative_share,class`` in rank
order (value descending, ties by entity name). ``value`` is written as it was read;
``share`` and ``cumulative_share`` are percentages written with exactly four decimals
(``cumulative_share`` includes the entity itself); ``class`` is A, B or C. The rule is the
one of :mod:`salesops.core.abc`. A cell that a spreadsheet would run as a formula (an entity
named ``=HYPERLINK(...)``) is written as text with a leading apostrophe, as the exports do
(:func:`salesops.core.csvsafe.csv_safe`).

Any problem with the input raises ``ValueError`` with a one-line message, which the
``salesops`` entry point prints on stderr with exit code 2.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

from salesops.core.abc import DEFAULT_A_CUTOFF, DEFAULT_B_CUTOFF, abc_table, validate_cutoffs
from salesops.core.csvsafe import csv_safe_row

SHARE_DECIMALS = 4
OUTPUT_COLUMNS = ("entity", "value", "share", "cumulative_share", "class")


def parse_cutoffs(*, text: str) -> tuple[float, float]:
    """Parse ``"40,80"`` into ``(40.0, 80.0)``; raise ``ValueError`` on anything else."""
    parts = [part.strip() for part in text.split(",")]
    if len(parts) != 2:
        raise ValueError(f"--cutoffs must be two percentages 'A,B' such as 40,80, got {text!r}")
    try:
        a_cutoff, b_cutoff = float(parts[0]), float(parts[1])
    except ValueError:
        raise ValueError(f"--cutoffs must be two numbers 'A,B' such as 40,80, got {text!r}")
    validate_cutoffs(a_cutoff=a_cutoff, b_cutoff=b_cutoff)
    return a_cutoff, b_cutoff


def read_values(*, path: Path) -> tuple[list[str], list[str], np.ndarray]:
    """Read ``entity,value`` rows; return names, the value texts and the values as floats."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in ("entity", "value") if column not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)} (expected a header with entity,value)")
        entities: list[str] = []
        texts: list[str] = []
        for row in reader:
            entities.append((row["entity"] or "").strip())
            texts.append((row["value"] or "").strip())
    try:
        values = np.array(texts, dtype=float)
    except ValueError:
        for line, text in enumerate(texts, start=2):
            try:
                float(text)
            except ValueError:
                raise ValueError(f"{path}:{line}: value {text!r} is not a number")
        raise
    for line, entity in enumerate(entities, start=2):
        if not entity:
            raise ValueError(f"{path}:{line}: empty entity")
    return entities, texts, values


def run_abc(*, input_path: Path, output_path: Path | None, a_cutoff: float, b_cutoff: float) -> int:
    """Classify the file at ``input_path`` and write the result (stdout when no path)."""
    entities, texts, values = read_values(path=input_path)
    table = abc_table(entities=entities, values=values, a_cutoff=a_cutoff, b_cutoff=b_cutoff)
    text_of = dict(zip(entities, texts, strict=True))
    fmt = f"{{:.{SHARE_DECIMALS}f}}"
    rows = zip(
        table["entity"].tolist(),
        table["share"].tolist(),
        table["cumulative_share"].tolist(),
        table["class"].tolist(),
        strict=True,
    )
    handle = sys.stdout if output_path is None else output_path.open("w", newline="", encoding="utf-8")
    try:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(OUTPUT_COLUMNS)
        writer.writerows(
            csv_safe_row((entity, text_of[entity], fmt.format(share), fmt.format(cumulative), abc_class))
            for entity, share, cumulative, abc_class in rows
        )
    finally:
        if output_path is not None:
            handle.close()
    return 0


def _handle(args: argparse.Namespace) -> int:
    a_cutoff, b_cutoff = parse_cutoffs(text=args.cutoffs)
    output = None if args.out == "-" else Path(args.out)
    return run_abc(input_path=Path(args.input), output_path=output, a_cutoff=a_cutoff, b_cutoff=b_cutoff)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``abc`` subcommand."""
    parser = subparsers.add_parser(
        "abc",
        help="ABC classification of entity,value rows by cumulative share",
        description=(
            "Rank entities by value (descending, ties by name) and grade them: A when the "
            "cumulative share of the entities ranked above is below the A cut-off, else B when "
            "it is below the B cut-off, else C. Input CSV columns: entity,value (non-negative). "
            "Output CSV columns: entity,value,share,cumulative_share,class with shares in "
            f"percent, {SHARE_DECIMALS} decimals; cumulative_share includes the entity itself. "
            "A zero total grades every entity C."
        ),
    )
    parser.add_argument("--input", required=True, metavar="values.csv", help="CSV with columns entity,value")
    parser.add_argument(
        "--cutoffs",
        default=f"{DEFAULT_A_CUTOFF:g},{DEFAULT_B_CUTOFF:g}",
        metavar="A,B",
        help="A and B cut-offs in percent, 0 < A < B <= 100 (default: %(default)s)",
    )
    parser.add_argument("--out", required=True, metavar="classes.csv", help="output CSV ('-' for stdout)")
    parser.set_defaults(handler=_handle)
