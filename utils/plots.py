"""One figure style for the whole course, readable on a projector and safe for colour-blind viewers."""

from __future__ import annotations

import matplotlib as mpl

from . import _guard  # noqa: F401  (stops when another `utils` shadows this package)

# Okabe & Ito (2008) colour-blind-safe palette.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
# Sequential and diverging colour maps that stay readable in grey and for colour-blind viewers.
SEQUENTIAL_CMAP = "viridis"
DIVERGING_CMAP = "RdBu_r"

COURSE_STYLE = {
    "figure.figsize": (9.0, 5.0),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "font.size": 14,
    "axes.titlesize": 16,
    "axes.labelsize": 14,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
    "lines.linewidth": 2.5,
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "image.cmap": SEQUENTIAL_CMAP,
}


def use_course_style() -> None:
    """Apply the course's matplotlib style (call once, in a notebook's first code cell)."""
    mpl.rcParams.update(COURSE_STYLE)


# Offsets (in points) tried for a label, nearest first: right, left, above, below, then the diagonals.
LABEL_OFFSETS = [(7, -5), (-7, -5), (0, 8), (0, -18), (7, 6), (-7, 6), (7, -16), (-7, -16)]


def label_points(ax, positions: dict, fontsize: float = 13, margin: float = 0.12) -> list:
    """Label each point of ``positions`` (label → (x, y)) where the text overlaps no other label or point.

    Greedy, in the order given: each label takes the first offset of :data:`LABEL_OFFSETS` whose text box
    stays inside the axes and clear of the labels placed so far and of every point's marker; when none is
    clear, the one with the least overlap. The data limits are widened by ``margin`` first, so labels at the
    edge are not clipped. Returns the text objects (notebook 01, section 7).
    """
    ax.margins(x=margin, y=margin)
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    points = [ax.transData.transform(xy) for xy in positions.values()]
    markers = [(x - 5, y - 5, x + 5, y + 5) for x, y in points]
    frame = ax.get_window_extent(renderer)
    placed: list[tuple[float, float, float, float]] = []
    texts = []

    def overlap(box, other):
        width = min(box[2], other[2]) - max(box[0], other[0])
        height = min(box[3], other[3]) - max(box[1], other[1])
        return max(width, 0) * max(height, 0)

    for label, xy in positions.items():
        best = None
        for dx, dy in LABEL_OFFSETS:
            align = "left" if dx > 0 else "right" if dx < 0 else "center"
            text = ax.annotate(
                label,
                xy,
                xytext=(dx, dy),
                textcoords="offset points",
                fontsize=fontsize,
                ha=align,
                va="bottom",
            )
            extent = text.get_window_extent(renderer)
            box = (extent.x0, extent.y0, extent.x1, extent.y1)
            outside = (
                max(frame.x0 - box[0], 0)
                + max(box[2] - frame.x1, 0)
                + max(frame.y0 - box[1], 0)
                + max(box[3] - frame.y1, 0)
            ) * 100
            cost = outside + sum(overlap(box, other) for other in placed + markers)
            if best is None or cost < best[0]:
                if best is not None:
                    best[1].remove()
                best = (cost, text, box)
            else:
                text.remove()
            if cost == 0:
                break
        placed.append(best[2])
        texts.append(best[1])
    return texts
