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
