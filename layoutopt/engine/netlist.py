"""Nets as block indices, for fast wirelength inside the searches (internal)."""

from __future__ import annotations

from dataclasses import dataclass

from layoutopt.engine.problem import FootprintTable, PackProblem

__all__ = ["NetIndex"]


@dataclass(frozen=True)
class NetIndex:
    """Per net: its block indices and the bounding box of its fixed terminals.

    ``centre[i][r]`` is the offset of block ``i``'s body centre from its footprint corner.
    """

    nets: tuple[tuple[tuple[int, ...], tuple[float, float, float, float] | None], ...]
    centre: tuple[tuple[tuple[float, float], tuple[float, float]], ...]

    @classmethod
    def of(cls, problem: PackProblem, table: FootprintTable) -> NetIndex:
        index = problem.index()
        terminals = {t: (float(x), float(y)) for t, x, y in problem.terminals}
        nets = []
        for net in problem.nets:
            blocks = tuple(sorted({index[n] for n in net if n in index}))
            pins = [terminals[n] for n in net if n in terminals and n not in index]
            box = None
            if pins:
                box = (
                    min(p[0] for p in pins),
                    max(p[0] for p in pins),
                    min(p[1] for p in pins),
                    max(p[1] for p in pins),
                )
            if len(blocks) + (1 if box else 0) >= 2 or (box and box[0] != box[1]):
                nets.append((blocks, box))
        centre = []
        for i, b in enumerate(problem.blocks):
            row = []
            for rotated in (False, True):
                bw, bh = b.size_um(rotated)
                dx, dy = table.body_offset(i, rotated)
                row.append((dx + bw / 2, dy + bh / 2))
            centre.append(tuple(row))
        return cls(tuple(nets), tuple(centre))  # type: ignore[arg-type]

    def hpwl_um(self, xs: list[int], ys: list[int], rots: list[int] | list[bool]) -> float:
        """HPWL with block footprint corners ``xs, ys`` and orientations ``rots``."""
        total = 0.0
        centre = self.centre
        for blocks, box in self.nets:
            if box is not None:
                x0, x1, y0, y1 = box
            else:
                x0 = y0 = float("inf")
                x1 = y1 = float("-inf")
            for i in blocks:
                cx, cy = centre[i][int(rots[i])]
                x = xs[i] + cx
                y = ys[i] + cy
                if x < x0:
                    x0 = x
                if x > x1:
                    x1 = x
                if y < y0:
                    y0 = y
                if y > y1:
                    y1 = y
            total += (x1 - x0) + (y1 - y0)
        return total
