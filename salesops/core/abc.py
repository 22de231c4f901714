"""ABC classification by cumulative share of a measure (stores, customers, products, ...).

Definitions (for one period and one measure, e.g. sales amount):

* The entities are ranked by value, descending; equal values are ranked by name
  (ascending, by Unicode code point, i.e. Python's string order), so the result never
  depends on input order. The name is the entity itself, unless separate ``names`` are
  given (entities that are ids, such as customers, whose names are not unique): then ties
  are broken by name, and equal names by entity.
* ``share`` of an entity is ``100 * value / total`` (percent).
* ``cumulative_share`` of an entity is the sum of the shares of all entities ranked above it
  **plus its own share**, in percent: the last entity's cumulative share is 100.
* The class is decided by the share of the entities ranked *above* it, that is
  ``cumulative_share - share``:

  - A when that share is below the A cut-off (default 40),
  - else B when it is below the B cut-off (default 80),
  - else C.

  So the first entity is always A (nothing ranks above it), and the entity that makes the
  cumulative share cross 40% is still A. A share exactly equal to a cut-off is not "below"
  it; to keep that true despite floating-point sums, the comparison is done on the exact
  value sums (``above_value * 100 < cutoff * total``) with a relative tolerance of 1e-9.

Edge cases:

* Empty input gives an empty result.
* Negative or non-finite values are rejected with ``ValueError``: a share of a negative
  amount has no meaning for grading (net returns should be floored or excluded upstream).
* Duplicate entity names are rejected with ``ValueError`` (aggregate them first).
* A zero total (all values zero): every share and cumulative share is 0 and every entity
  is C, since none contributes anything to the measure.

The ranking is one sort of the names plus one ``numpy.lexsort`` and the shares one
cumulative sum, so 100,000 entities take a fraction of a second.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

DEFAULT_A_CUTOFF = 40.0
DEFAULT_B_CUTOFF = 80.0

CLASS_A = "A"
CLASS_B = "B"
CLASS_C = "C"

_TOLERANCE = 1e-9


class AbcRow(NamedTuple):
    """One classified entity (a named tuple: cheap to build by the hundred thousand)."""

    entity: str
    value: float
    share: float
    """Percent of the total."""
    cumulative_share: float
    """Percent of the total held by this entity and every entity ranked above it."""
    abc_class: str


def validate_cutoffs(*, a_cutoff: float, b_cutoff: float) -> None:
    """Raise ``ValueError`` unless ``0 < a_cutoff < b_cutoff <= 100`` (percent)."""
    for name, cutoff in (("A", a_cutoff), ("B", b_cutoff)):
        if not np.isfinite(cutoff) or not 0 < cutoff <= 100:
            raise ValueError(f"{name} cut-off must be a percentage in (0, 100], got {cutoff:g}")
    if not a_cutoff < b_cutoff:
        raise ValueError(f"A cut-off ({a_cutoff:g}) must be below the B cut-off ({b_cutoff:g})")


def abc_table(
    *,
    entities: Sequence[str] | np.ndarray | pd.Series,
    values: Sequence[float] | np.ndarray | pd.Series,
    a_cutoff: float = DEFAULT_A_CUTOFF,
    b_cutoff: float = DEFAULT_B_CUTOFF,
    names: Sequence[str] | np.ndarray | pd.Series | None = None,
) -> pd.DataFrame:
    """Classify entities; return a DataFrame in rank order.

    Columns: ``entity`` (str), ``value`` (float), ``share`` and ``cumulative_share``
    (float, percent, ``cumulative_share`` including the entity itself) and ``class``
    ("A", "B" or "C"). ``names``, one per entity, break ties when the entities are not
    names themselves (ids). See the module docstring for the exact rule.
    """
    validate_cutoffs(a_cutoff=a_cutoff, b_cutoff=b_cutoff)
    labels = None if names is None else np.asarray(names, dtype=object)
    names = np.asarray(entities, dtype=object)
    amounts = np.asarray(values, dtype=float)
    if names.ndim != 1 or amounts.ndim != 1 or len(names) != len(amounts):
        raise ValueError(
            f"entities and values must be two lists of the same length ({len(names)} and {len(amounts)} given)"
        )
    if labels is not None and (labels.ndim != 1 or len(labels) != len(names)):
        raise ValueError(f"names must be one per entity ({len(names)} entities, {len(labels)} names given)")
    if len(names) == 0:
        return pd.DataFrame(
            {
                "entity": pd.Series([], dtype=object),
                "value": pd.Series([], dtype=float),
                "share": pd.Series([], dtype=float),
                "cumulative_share": pd.Series([], dtype=float),
                "class": pd.Series([], dtype=object),
            }
        )
    bad = ~np.isfinite(amounts)
    if bad.any():
        raise ValueError(f"value of {str(names[bad.argmax()])!r} is not a finite number")
    negative = amounts < 0
    if negative.any():
        index = negative.argmax()
        raise ValueError(
            f"value of {str(names[index])!r} is negative ({amounts[index]:g}); ABC needs non-negative values"
        )

    # One sort by name gives both the duplicate check (equal neighbours) and the tie-break
    # rank; fixed-width unicode sorts several times faster than Python objects.
    text = names.astype(str)
    by_name = np.argsort(text, kind="stable")
    sorted_text = text[by_name]
    duplicated = sorted_text[1:] == sorted_text[:-1]
    if duplicated.any():
        raise ValueError(f"entity {str(sorted_text[1:][duplicated][0])!r} appears more than once")
    if labels is not None:
        # Ties by the given names, equal names by entity.
        by_name = np.lexsort((text, labels.astype(str)))
    name_rank = np.empty(len(names), dtype=np.int64)
    name_rank[by_name] = np.arange(len(names))
    order = np.lexsort((name_rank, -amounts))
    names = names[order]
    amounts = amounts[order]
    cumulative = np.cumsum(amounts)
    total = float(cumulative[-1])
    above = cumulative - amounts
    if total > 0:
        share = amounts * (100.0 / total)
        cumulative_share = cumulative * (100.0 / total)
        cumulative_share[-1] = 100.0
        slack = _TOLERANCE * total * 100.0
        above_pct_scaled = above * 100.0
        abc = np.where(
            above_pct_scaled < a_cutoff * total - slack,
            CLASS_A,
            np.where(above_pct_scaled < b_cutoff * total - slack, CLASS_B, CLASS_C),
        )
    else:
        share = np.zeros_like(amounts)
        cumulative_share = np.zeros_like(amounts)
        abc = np.full(len(amounts), CLASS_C)
    return pd.DataFrame(
        {
            "entity": names,
            "value": amounts,
            "share": share,
            "cumulative_share": cumulative_share,
            "class": abc.astype(object),
        }
    )


def abc_classify(
    *,
    entities: Sequence[str] | np.ndarray | pd.Series,
    values: Sequence[float] | np.ndarray | pd.Series,
    a_cutoff: float = DEFAULT_A_CUTOFF,
    b_cutoff: float = DEFAULT_B_CUTOFF,
    names: Sequence[str] | np.ndarray | pd.Series | None = None,
) -> list[AbcRow]:
    """Classify entities; return one :class:`AbcRow` per entity in rank order.

    Same rule and validation as :func:`abc_table`, which does the work.
    """
    table = abc_table(entities=entities, values=values, a_cutoff=a_cutoff, b_cutoff=b_cutoff, names=names)
    return list(
        map(
            AbcRow,
            table["entity"].tolist(),
            table["value"].tolist(),
            table["share"].tolist(),
            table["cumulative_share"].tolist(),
            table["class"].tolist(),
        )
    )
