"""The live progress display: one status block under the scrolling log, on terminals only.

::

    train  epoch 2/5 [10/45]  ━━━━━━━━━━━━━━━━╸━━━━━━━━━━━━━━━━━━━━━━  55/225  24%  eta 0:00:41
           loss 0.3412  lr 9.6194e-02  val accuracy/top1 96.1111

It is drawn with rich and refreshed from the training thread at most every
``refresh_interval`` seconds (no background thread; a refresh costs a fraction of a
millisecond): position and ETA are read from the Runner when drawing, loss and lr are the values
of the latest log line, so an iteration that does not log pays one clock read. While the
display is live, the console log handler prints through it (:func:`print_above`) and
``sys.stdout`` / ``sys.stderr`` go through rich, so log lines and prints appear above it.

When standard output is not a terminal (a file, a pipe, ``nohup``, CI) there is no display at
all, only the plain log lines: nothing writes cursor movements or colours into a redirected log.
"""

from __future__ import annotations

import atexit
import datetime
import sys
import time
from collections.abc import Mapping
from typing import Any

#: Scalars shown from the latest train log line (short names), when present.
SHOWN_TRAIN_KEYS = ('loss', 'lr')
#: Narrowest bar drawn on the same line as its text.
MIN_BAR_WIDTH = 10

#: The display that holds the terminal now, if any (see :func:`print_above`).
_live_displays: list[ProgressDisplay] = []


def print_above(text: str) -> bool:
    """Print ``text`` above the live display, unwrapped (the terminal wraps long lines);
    ``False`` when no display is live (print it yourself)."""
    if not _live_displays:
        return False
    from rich.text import Text

    _live_displays[-1].console.print(Text(text), soft_wrap=True)
    return True


def stdout_is_terminal() -> bool:
    """Whether the real standard output is an interactive terminal (not a file or pipe, not
    ``TERM=dumb``); environment overrides such as ``FORCE_COLOR`` do not count."""
    import os

    stream = sys.stdout
    stream = getattr(stream, 'rich_proxied_file', stream)
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        return False
    return bool(tty) and os.environ.get('TERM', '').lower() not in ('dumb', 'unknown')


def _format_value(name: str, value: Any) -> str:
    if isinstance(value, float):
        return f'{value:.4e}' if name.partition('/')[0].endswith('lr') else f'{value:.4f}'
    return str(value)


def _eta(seconds: Any) -> str:
    if seconds is None:
        return '-'
    return str(datetime.timedelta(seconds=int(seconds)))


def _bar_line(left: str, done: int, total: int, right: str, width: int) -> Any:
    """``left  ━━━━╸━━━━  right`` in ``width`` columns; on a narrow terminal the text goes on
    one line and the bar on the next, so nothing is cut off."""
    from rich.console import Group
    from rich.progress_bar import ProgressBar
    from rich.table import Table
    from rich.text import Text

    bar = ProgressBar(total=max(total, 1), completed=min(done, total))
    if len(left) + len(right) + 4 + MIN_BAR_WIDTH > width:
        return Group(Text(f'{left}  {right}'), bar)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_column(no_wrap=True, justify='right')
    grid.add_row(Text(left), bar, Text(right))  # Text: no markup in '[10/45]'
    return grid


class ProgressDisplay:
    """Progress of ``runner``'s training, validation and test loops.

    Args:
        runner: What to show (reads ``iter``, ``max_iters``, ``epoch``, ``max_epochs``,
            ``train_by_epoch``, ``train_dataloader`` and the message hub's ``eta``).
        console: The rich console to draw on (default: standard output).
        refresh_interval: Seconds between refreshes.
    """

    def __init__(self, runner: Any, console: Any = None, refresh_interval: float = 0.25) -> None:
        from rich.console import Console

        self.runner = runner
        self.console = console if console is not None else Console()
        self.refresh_interval = refresh_interval
        self.train_values: dict[str, Any] = {}
        self.val_values: dict[str, Any] = {}
        #: ``(mode, batches done, batches)`` while a validation or test loop runs.
        self.eval_position: tuple[str, int, int] | None = None
        self._live: Any = None
        self._next_refresh = 0.0

    # -- what is shown -----------------------------------------------------------------------

    def update_train(self, tag: Mapping[str, Any]) -> None:
        """Keep the loss and lr of a train log line (names with or without ``train/``)."""
        for name, value in tag.items():
            short = name[6:] if name.startswith('train/') else name
            if short in SHOWN_TRAIN_KEYS:
                self.train_values[short] = value

    def update_val(self, tag: Mapping[str, Any]) -> None:
        """Keep the metrics of the latest validation (not its timings)."""
        self.val_values = {
            (k[4:] if k.startswith('val/') else k): v
            for k, v in tag.items()
            if k.rpartition('/')[2] not in ('time', 'data_time')
        }

    def _train_parts(self) -> tuple[str, int, int, str]:
        """``(where, done, total, counts and eta)`` of the training loop."""
        runner = self.runner
        done, total = runner.iter, max(runner.max_iters, 1)
        if runner.train_by_epoch:
            epochs = max(runner.max_epochs, 1)
            length = max(total // epochs, 1)
            epoch = min(runner.epoch, epochs - 1)  # the last epoch stays shown when it ends
            where = f'epoch {epoch + 1}/{epochs} [{done - epoch * length}/{length}]'
        else:
            where = f'iter {done}/{total}'
        eta = _eta(runner.message_hub.get_info('eta'))
        return (
            f'train  {where}',
            done,
            total,
            f'{done}/{total}  {100 * done // total:>3d}%  eta {eta}',
        )

    def _values_line(self) -> Any:
        from rich.text import Text

        shown = [k for k in SHOWN_TRAIN_KEYS if k in self.train_values]
        items = [f'{k} {_format_value(k, self.train_values[k])}' for k in shown]
        items += [f'val {k} {_format_value(k, v)}' for k, v in self.val_values.items()]
        return Text('       ' + '  '.join(items)) if items else None

    def __rich_console__(self, console: Any, options: Any) -> Any:
        if getattr(self.runner, 'training', False):
            yield _bar_line(*self._train_parts(), options.max_width)
            values = self._values_line()
            if values is not None:
                yield values
        if self.eval_position is not None:
            mode, done, total = self.eval_position
            yield _bar_line(f'{mode:<5}', done, total, f'{done}/{total}', options.max_width)

    # -- drawing -----------------------------------------------------------------------------

    @property
    def live(self) -> bool:
        return self._live is not None

    def start(self) -> None:
        """Take the terminal (idempotent)."""
        if self._live is not None:
            return
        for stale in list(_live_displays):  # left live by a run that ended on an error
            stale.stop()
        from rich.live import Live

        self._live = Live(
            self,
            console=self.console,
            auto_refresh=False,
            redirect_stdout=True,
            redirect_stderr=True,
        )
        self._live.start(refresh=True)
        _live_displays.append(self)
        self._next_refresh = time.perf_counter() + self.refresh_interval
        atexit.register(self.stop)  # restore the cursor if the process ends on an error

    def tick(self) -> None:
        """Refresh if ``refresh_interval`` has passed (called every iteration)."""
        if time.perf_counter() >= self._next_refresh:
            self.refresh()

    def refresh(self) -> None:
        if self._live is not None:
            self._live.refresh()
        self._next_refresh = time.perf_counter() + self.refresh_interval

    def stop(self) -> None:
        """Draw the final state and give the terminal back (idempotent)."""
        live, self._live = self._live, None
        if live is not None:
            _live_displays.remove(self)
            atexit.unregister(self.stop)
            live.stop()
