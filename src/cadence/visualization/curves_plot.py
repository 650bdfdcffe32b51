"""Training curves as an image: one panel per key, matplotlib (Agg, object API, imported only
here) so drawing never opens a window or touches a user's figures."""

from __future__ import annotations

import os
from collections.abc import Sequence

from .training_curves import Panel

UNIT_LABELS = {'iteration': 'iteration', 'epoch': 'epoch'}


def plot_panels(
    panels: Sequence[Panel], path: str | os.PathLike, *, title: str | None = None, dpi: int = 100
) -> None:
    """Write ``panels`` to ``path`` (the format follows the extension: .png, .svg, .pdf)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(9, 2.6 * len(panels) + 0.6), dpi=dpi, layout='constrained')
    FigureCanvasAgg(figure)
    axes = figure.subplots(len(panels), 1, squeeze=False)[:, 0]
    for ax, panel in zip(axes, panels):
        for curve in panel.curves:
            marker = 'o' if len(curve.steps) <= 50 else None
            ax.plot(curve.steps, curve.values, marker=marker, markersize=3, linewidth=1.2,
                    label=curve.name)  # fmt: skip
        ax.set_title(panel.title, fontsize='medium', loc='left')
        ax.set_xlabel(UNIT_LABELS.get(panel.unit, panel.unit))
        ax.grid(True, alpha=0.3)
        if any(c.name.partition('/')[0].endswith('lr') for c in panel.curves):
            ax.ticklabel_format(axis='y', style='sci', scilimits=(-3, 3))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(fontsize='small')
    if title:
        figure.suptitle(title)
    figure.savefig(os.fspath(path))
