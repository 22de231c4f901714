"""The cells of the sales control board, written in Python.

A large project's board has thousands of cells; through the template engine each cell costs a
dozen variable lookups and a localised number: the whole 3,000-unit page took 2.7 times the
CPU time it takes with this loop (`bench/units_board.py`, docs/BENCHMARKS.md). The markup is
the one the grid template wrote; every value from the database is escaped.
"""

from html import escape

from django import template
from django.utils import formats
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def board_floors(building, unit_base: str):
    """`<tr>` rows of one building of the board, floors top down."""
    base = escape(unit_base)
    areas: dict = {}  # the same few floor areas repeat over the whole board: localise each once
    rows = []
    for floor, cells in building.floors:
        parts = [f"<tr><th>{floor}F</th>"]
        for cell in cells:
            if cell is None:
                parts.append("<td></td>")
                continue
            unit = cell.unit
            area = areas.get(unit.area)
            if area is None:
                area = areas[unit.area] = escape(str(formats.localize(unit.area)))
            code, status = escape(unit.code), escape(unit.status)
            extra = f"<small>{escape(cell.customer)}</small>" if cell.customer else ""
            if cell.waiting:
                extra += f"<small>+{int(cell.waiting)}</small>"
            parts.append(
                f'<td class="s-{status}{"" if cell.matches else " dim"}"><a href="{base}{int(unit.pk)}/"'
                f' data-unit="{code}" data-status="{status}">{code}<small>{area}㎡</small>{extra}</a></td>'
            )
        parts.append("</tr>\n")
        rows.append("".join(parts))
    return mark_safe("".join(rows))  # noqa: S308  (every value above is escaped)
