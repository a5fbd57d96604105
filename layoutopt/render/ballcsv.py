"""The ball map as CSV: one line per site, named as JEDEC names balls (A1, A2, ... B1).

Columns: ``array`` (board, or interface for a PoP ring), ``ball`` (the JEDEC name from
ball A1), ``column`` and ``row`` (0 at the south-west site, as in ``layout.json``),
``x_um`` and ``y_um`` (top-view coordinates of the centre), ``dx_um`` and ``dy_um`` (from
the package centre; halves where the package size is odd), ``diameter_um`` and
``populated`` (0 for a depopulated site). Lines run row by row from A1. Pure and
deterministic; ``layoutopt render --views balls`` writes it.

Examples
--------
>>> from layoutopt.model import BallArray, BallMap, BallRole, Family, Layout, Rect
>>> array = BallArray(BallRole.BOARD, 400, 250, 500, 500, 2, 2, depopulated=((1, 0),))
>>> layout = Layout("d", Family.SIP, Rect(0, 0, 1400, 1400), 0, (), ball_map=BallMap((array,)))
>>> print(to_ball_csv(layout), end="")
array,ball,column,row,x_um,y_um,dx_um,dy_um,diameter_um,populated
board,A1,0,1,500,900,-200,200,250,1
board,A2,1,1,900,900,200,200,250,1
board,B1,0,0,500,500,-200,-200,250,1
board,B2,1,0,900,500,200,-200,250,0
"""

from __future__ import annotations

import csv
import io

from layoutopt.ballmap import ball_name
from layoutopt.model import BallArray, Corner, Layout

__all__ = ["to_ball_csv"]

_HEADER = (
    "array",
    "ball",
    "column",
    "row",
    "x_um",
    "y_um",
    "dx_um",
    "dy_um",
    "diameter_um",
    "populated",
)


def _order(array: BallArray, a1: Corner) -> list[tuple[int, int]]:
    """Sites row by row from ball A1, each row from A1's side."""
    from_north = a1 in (Corner.NORTH_WEST, Corner.NORTH_EAST)
    from_west = a1 in (Corner.NORTH_WEST, Corner.SOUTH_WEST)
    return sorted(
        array.sites(),
        key=lambda s: (
            array.rows - 1 - s[1] if from_north else s[1],
            s[0] if from_west else array.columns - 1 - s[0],
        ),
    )


def _half(value2: int) -> int | float:
    return value2 // 2 if value2 % 2 == 0 else value2 / 2


def to_ball_csv(layout: Layout) -> str:
    """Every ball site of the layout's map (an empty table without a map)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(_HEADER)
    ball_map = layout.ball_map
    if ball_map is None:
        return buffer.getvalue()
    pkg = layout.package
    cx2, cy2 = 2 * pkg.x_um + pkg.width_um, 2 * pkg.y_um + pkg.length_um  # doubled centre
    for array in ball_map.arrays:
        empty = set(array.depopulated)
        for column, row in _order(array, ball_map.a1):
            x, y = array.centre_um(column, row)
            writer.writerow(
                (
                    array.role.value,
                    ball_name(array, column, row, ball_map.a1),
                    column,
                    row,
                    x,
                    y,
                    _half(2 * x - cx2),
                    _half(2 * y - cy2),
                    array.diameter_um,
                    0 if (column, row) in empty else 1,
                )
            )
    return buffer.getvalue()
