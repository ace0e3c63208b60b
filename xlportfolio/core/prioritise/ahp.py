"""The AHP table on the Scoring sheet: pairwise comparisons of the criteria, read as a matrix."""
from __future__ import annotations

import pandas as pd

from xlportfolio.core.values import is_number
from xlportfolio.errors import TemplateError


def read_ahp(grid, source: str) -> pd.DataFrame:
    """The AHP table's pairwise matrix; a blank or formula cell counts as the reciprocal of its mirror.

    `grid` is the table's cells as read (header row first) with where they sit: (sheet, ref, rows).
    """
    sheet, ref, rows = grid
    first_row = int("".join(ch for ch in ref.split(":")[0] if ch.isdigit()))
    names = [str(n) for n in rows[0][1:]]
    if len(rows) - 1 != len(names):
        raise TemplateError(source, f"sheet '{sheet}', AHP table {ref}: it compares {len(rows) - 1} "
                            f"criteria down and {len(names)} across; list the same criteria both ways.")
    matrix = pd.DataFrame(index=names, columns=names, dtype=float)
    for i, row in enumerate(rows[1:]):
        for j, value in enumerate(row[1:]):
            mirror = rows[j + 1][i + 1]
            if is_number(value):
                matrix.iat[i, j] = value
            elif is_number(mirror) and mirror:
                matrix.iat[i, j] = 1 / mirror
            else:
                raise TemplateError(source, f"sheet '{sheet}', AHP table row {first_row + i + 1}: "
                                    f"'{value}' is not a number; type how much more '{names[i]}' matters "
                                    f"than '{names[j]}' (1 equal to 9 extremely).")
    matrix.index = [str(r[0]) for r in rows[1:]]
    return matrix
