"""Gradient accumulation arithmetic: pure functions of the iteration counters.

``A`` is ``accumulative_counts``, ``c`` the number of backward passes done so far in the whole
run (``inner_count``), ``M`` the total number of iterations (``max_counts``; ``-1`` when the
wrapper was never told), ``R = M mod A``. Windows of ``A`` iterations span epoch boundaries;
only the last window of the run can be shorter (``R`` iterations). Each window's loss is divided
by the window's real length, so an accumulated update equals the update of one big batch.
"""

from __future__ import annotations


def loss_factor(count: int, max_counts: int, accumulative_counts: int) -> int:
    """The divisor of the loss of the iteration that starts with ``count`` backward passes done.

    ``A`` inside a full window; ``R`` inside the last, shorter window; ``A`` when ``max_counts``
    is unknown (``-1``), in which case an incomplete last window never steps.
    """
    if accumulative_counts == 1 or max_counts < 0:
        return accumulative_counts
    remainder = max_counts % accumulative_counts
    if remainder == 0 or count < max_counts - remainder:
        return accumulative_counts
    return remainder


def should_update(count: int, max_counts: int, accumulative_counts: int) -> bool:
    """Whether the optimizer steps after the backward pass that made ``count`` passes in all."""
    return count % accumulative_counts == 0 or count == max_counts


def should_sync(count: int, max_counts: int, accumulative_counts: int) -> bool:
    """Whether the backward pass about to run (with ``count`` done before it) ends a window.

    Gradients must be all-reduced across processes exactly on those passes; the others can run
    under DDP's ``no_sync()``.
    """
    return should_update(count + 1, max_counts, accumulative_counts)
