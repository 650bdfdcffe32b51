"""Checkpoint files: atomic writes, the last_checkpoint pointer, finding the latest good one."""

from __future__ import annotations

import fractions
import logging
import os

import pytest
import torch

from cadence.runner import CheckpointError, find_latest_checkpoint, load_checkpoint_file
from cadence.runner.checkpoint import (
    remove_stale_temporaries,
    revise_keys,
    save_checkpoint_file,
    write_last_checkpoint,
)
from support.runs import digits_cfg, train


def test_atomic_write_leaves_no_partial_file_on_failure(tmp_path):
    path = tmp_path / 'epoch_1.pth'
    save_checkpoint_file({'a': torch.ones(2)}, str(path))

    class Boom:
        def __reduce__(self):
            raise RuntimeError('cannot pickle')

    with pytest.raises(RuntimeError, match='cannot pickle'):
        save_checkpoint_file({'a': Boom()}, str(path))
    assert torch.equal(load_checkpoint_file(str(path))['a'], torch.ones(2))
    assert os.listdir(tmp_path) == ['epoch_1.pth']


def test_latest_good_checkpoint_skips_a_corrupt_newest(tmp_path, caplog):
    for step in (1, 2):
        save_checkpoint_file({'step': step}, str(tmp_path / f'epoch_{step}.pth'))
        write_last_checkpoint(str(tmp_path), str(tmp_path / f'epoch_{step}.pth'))
    with open(tmp_path / 'epoch_2.pth', 'r+b') as handle:
        handle.truncate(40)
    with caplog.at_level(logging.WARNING, logger='cadence'):
        path, checkpoint = find_latest_checkpoint(str(tmp_path))
    assert path == str(tmp_path / 'epoch_1.pth') and checkpoint == {'step': 1}
    assert 'skipping unreadable checkpoint' in caplog.text and 'epoch_2.pth' in caplog.text
    os.remove(tmp_path / 'epoch_1.pth')
    assert find_latest_checkpoint(str(tmp_path)) is None


def test_pointer_to_a_missing_file_falls_back_to_the_directory(tmp_path):
    save_checkpoint_file({'step': 3}, str(tmp_path / 'iter_3.pth'))
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_9.pth'))
    assert find_latest_checkpoint(str(tmp_path))[0] == str(tmp_path / 'iter_3.pth')


def test_unreadable_files_give_clear_errors(tmp_path):
    with pytest.raises(CheckpointError, match='does not exist'):
        load_checkpoint_file(str(tmp_path / 'nope.pth'))
    torch.save({'x': fractions.Fraction(1, 3)}, tmp_path / 'pickled.pth')
    with pytest.raises(CheckpointError, match='weights_only=True'):
        load_checkpoint_file(str(tmp_path / 'pickled.pth'))
    torch.save([1, 2], tmp_path / 'list.pth')
    with pytest.raises(CheckpointError, match='not a checkpoint'):
        load_checkpoint_file(str(tmp_path / 'list.pth'))


def test_stale_temporaries_and_key_revision(tmp_path):
    (tmp_path / '.epoch_3.pth.abc123.tmp').write_bytes(b'partial')
    (tmp_path / 'notes.tmp').write_text('keep')
    assert remove_stale_temporaries(str(tmp_path)) == ['.epoch_3.pth.abc123.tmp']
    assert os.listdir(tmp_path) == ['notes.tmp']
    assert revise_keys({'module.fc.weight': 1}, [(r'^module\.', '')]) == {'fc.weight': 1}


def test_auto_resume_uses_the_previous_checkpoint_when_the_newest_is_corrupt(tmp_path, caplog):
    cfg = digits_cfg(tmp_path, train_cfg={'by_epoch': True, 'max_epochs': 2})
    train(cfg)
    with open(tmp_path / 'epoch_2.pth', 'r+b') as handle:
        handle.truncate(100)
    with caplog.at_level(logging.INFO, logger='cadence'):
        runner = train(
            dict(cfg, resume=True, train_cfg={'by_epoch': True, 'max_epochs': 3}, log_level='INFO')
        )
    assert 'skipping unreadable checkpoint' in caplog.text
    assert f'resumed from {tmp_path / "epoch_1.pth"} at epoch 1' in caplog.text
    assert runner.epoch == 3
