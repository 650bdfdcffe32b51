"""HistoryBuffer statistics and MessageHub persistence."""

from __future__ import annotations

import io
import math

import pytest
import torch

from cadence.logging import HistoryBuffer, MessageHub


def test_window_and_global_statistics_match_a_direct_computation():
    values = [float(v) for v in [3, 1, 4, 1, 5, 9, 2, 6, 5, 3]]
    buffer = HistoryBuffer()
    for v in values:
        buffer.update(v)
    assert buffer.current() == 3
    assert buffer.mean(4) == pytest.approx(sum(values[-4:]) / 4)
    assert buffer.mean() == pytest.approx(sum(values) / len(values))
    assert (buffer.max(), buffer.min()) == (9, 1)
    assert buffer.max(3) == 6 and buffer.min(3) == 3
    assert buffer.statistics('mean', 2) == pytest.approx(4.0)
    with pytest.raises(KeyError, match='unknown statistic'):
        buffer.statistics('median')


def test_counts_follow_the_reference_sum_over_count_convention():
    buffer = HistoryBuffer()
    buffer.update(10.0, count=4)
    buffer.update(2.0, count=1)
    assert buffer.mean() == pytest.approx(12 / 5)


def test_tensors_are_stored_lazily_and_converted_on_read():
    buffer = HistoryBuffer()
    for i in range(5):
        buffer.update(torch.tensor(float(i)))
    values, _ = buffer.data
    assert values == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert all(isinstance(v, float) for v in values)


def test_memory_is_bounded_and_global_stats_survive_eviction():
    buffer = HistoryBuffer(max_length=8)
    for i in range(100):
        buffer.update(float(i))
    assert len(buffer) == 8
    assert buffer.mean() == pytest.approx(49.5)
    assert buffer.min() == 0 and buffer.max() == 99
    assert buffer.mean(8) == pytest.approx(sum(range(92, 100)) / 8)


def test_empty_buffer():
    buffer = HistoryBuffer()
    assert math.isnan(buffer.mean())
    with pytest.raises(ValueError, match='empty'):
        buffer.current()


def test_message_hub_instances_and_scalars():
    hub = MessageHub.get_instance('test_hub_a')
    assert MessageHub.get_current_instance() is hub
    hub.update_scalar('train/loss', 1.0)
    hub.update_scalars({'train/loss': 3.0, 'train/lr': 0.1})
    assert hub.get_scalar('train/loss').mean() == 2.0
    with pytest.raises(
        KeyError, match="no scalar 'train/los' has been logged. Did you mean 'train/loss'"
    ):
        hub.get_scalar('train/los')
    hub.update_info('epoch', 3)
    assert hub.get_info('epoch') == 3 and hub.get_info('missing', 'd') == 'd'


def test_message_hub_state_round_trips_through_weights_only_load():
    hub = MessageHub('test_hub_b')
    for i in range(12):
        hub.update_scalar('train/loss', torch.tensor(float(i)))
    hub.update_scalar('train/time', 0.5, resumed=False)
    hub.update_info('best_score', 0.9)
    hub.update_info('not_saved', object())
    stream = io.BytesIO()
    torch.save(hub.state_dict(), stream)
    stream.seek(0)
    state = torch.load(stream, weights_only=True)
    assert 'train/time' not in state['log_scalars']
    assert 'not_saved' not in state['runtime_info']
    restored = MessageHub('test_hub_c')
    restored.load_state_dict(state)
    assert restored.get_scalar('train/loss').mean(10) == pytest.approx(sum(range(2, 12)) / 10)
    assert restored.get_scalar('train/loss').mean() == pytest.approx(5.5)
    assert restored.get_info('best_score') == 0.9


def test_incremental_conversion_matches_a_direct_computation():
    """Reads between updates convert only the new values; statistics stay exact, also when
    tensors and numbers mix and the window overflows between reads."""
    from cadence.logging.history_buffer import to_floats

    values = [float((7 * i) % 11) for i in range(50)]
    buffer = HistoryBuffer(max_length=8)
    for i, value in enumerate(values):
        buffer.update(torch.tensor(value) if i % 2 else value, count=1 + i % 3)
        if i % 5 == 4:
            counts = [1 + j % 3 for j in range(i + 1)]
            assert buffer.mean(4) == pytest.approx(sum(values[i - 3 : i + 1]) / sum(counts[-4:]))
            assert buffer.mean() == pytest.approx(sum(values[: i + 1]) / sum(counts))
            per_sample = [v / c for v, c in zip(values[: i + 1], counts)]
            assert (buffer.min(), buffer.max()) == (min(per_sample), max(per_sample))
            assert buffer.data[0] == values[max(0, i - 7) : i + 1]
    assert to_floats([1, torch.tensor([2.5]), torch.tensor(3)]) == [1.0, 2.5, 3.0]


def test_last_returns_the_newest_values_in_order_and_converts_tensors():
    buffer = HistoryBuffer(max_length=5)
    for i in range(8):
        buffer.update(torch.tensor(float(i)) if i % 2 else float(i))
    assert buffer.last(3) == [5.0, 6.0, 7.0]
    assert all(type(v) is float for v in buffer.last(3))
    assert buffer.last(10) == [3.0, 4.0, 5.0, 6.0, 7.0]  # only the window is kept
    assert buffer.last(0) == []
