"""Collate functions."""

from __future__ import annotations

from collections import namedtuple

import numpy as np
import pytest
import torch

from cadence.dataset import default_collate, pseudo_collate
from cadence.errors import CadenceError
from cadence.registry import FUNCTIONS


def test_default_collate_stacks_nested_structures():
    batch = [
        {'inputs': torch.full((2,), float(i)), 'label': i, 'name': f's{i}', 'arr': np.ones(2) * i}
        for i in range(3)
    ]
    out = default_collate(batch)
    assert torch.equal(out['inputs'], torch.tensor([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]))
    assert torch.equal(out['label'], torch.tensor([0, 1, 2]))
    assert out['name'] == ['s0', 's1', 's2']
    assert out['arr'].shape == (3, 2)


def test_default_collate_tuples_namedtuples_and_objects():
    pair = default_collate([(torch.zeros(1), 1), (torch.ones(1), 2)])
    assert isinstance(pair, list) and torch.equal(pair[1], torch.tensor([1, 2]))
    point = namedtuple('Point', 'x y')
    out = default_collate([point(1, 2), point(3, 4)])
    assert isinstance(out, point) and out.x.tolist() == [1, 3]
    marker = object()
    assert default_collate([marker, marker]) == [marker, marker]


def test_pseudo_collate_transposes_without_stacking():
    batch = [{'inputs': torch.zeros(2), 'label': 0}, {'inputs': torch.ones(2), 'label': 1}]
    out = pseudo_collate(batch)
    assert isinstance(out['inputs'], list) and len(out['inputs']) == 2
    assert out['label'] == [0, 1]


def test_unequal_sequences_are_reported():
    with pytest.raises(CadenceError, match='different lengths'):
        default_collate([[1, 2], [1]])


def test_registered_as_functions():
    assert FUNCTIONS.get('default_collate') is default_collate
    assert FUNCTIONS.get('pseudo_collate') is pseudo_collate
