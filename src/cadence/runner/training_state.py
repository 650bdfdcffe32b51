"""What a checkpoint holds, and putting it back.

Besides the reference's contents (``meta``, ``state_dict``, ``message_hub``, ``optimizer``,
``param_schedulers``) a Cadence checkpoint saved during training holds ``train_state``: the
loop's counters and data position, the sampler's seed and epoch, every random generator's
state, the state of hooks that keep one and, when saved inside a gradient-accumulation window,
the gradients summed so far. With it a resumed run continues bit for bit.

A multi-process run records its number of processes (``meta['world_size']``) and what differs
between ranks (``train_state['ranks']``: every rank's random-generator states and buffers such
as BatchNorm statistics, which DDP does not synchronise); it resumes on the same number of
processes only, each rank taking back its own state.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import torch

from ..dist import all_gather_object, get_rank, get_world_size
from ..errors import ConfigError
from ..logging import get_logger
from ..model import get_model
from ..version import __version__
from .checkpoint import load_model_state
from .randomness import capture_rng_state, restore_rng_state


def _hook_key(hook: Any, seen: dict[str, int]) -> str:
    name = type(hook).__name__
    seen[name] = seen.get(name, 0) + 1
    return name if seen[name] == 1 else f'{name}#{seen[name]}'


def hook_states(hooks: list[Any]) -> dict[str, Any]:
    """``{hook key: state}`` for hooks that define ``state_dict()``."""
    seen: dict[str, int] = {}
    states = {}
    for hook in hooks:
        key = _hook_key(hook, seen)
        if callable(getattr(hook, 'state_dict', None)):
            states[key] = hook.state_dict()
    return states


def load_hook_states(hooks: list[Any], states: Mapping[str, Any]) -> None:
    seen: dict[str, int] = {}
    for hook in hooks:
        key = _hook_key(hook, seen)
        if key in states and callable(getattr(hook, 'load_state_dict', None)):
            hook.load_state_dict(states[key])


def scheduler_states(schedulers: Any) -> Any:
    if isinstance(schedulers, Mapping):
        return {name: [s.state_dict() for s in items] for name, items in schedulers.items()}
    return [s.state_dict() for s in schedulers]


def _persistent_buffers(model: Any) -> dict[str, Any]:
    saved = model.state_dict().keys()
    return {name: b.detach().cpu() for name, b in model.named_buffers() if name in saved}


def _mid_accumulation(runner) -> bool:
    """Whether an accumulation window is open: gradients summed but not yet applied."""
    if not runner.optim_wrapper_built:
        return False
    wrapper = runner.optim_wrapper
    wrappers = list(wrapper.values()) if isinstance(wrapper, Mapping) else [wrapper]
    return any(
        w.accumulative_counts > 1 and w.inner_count % w.accumulative_counts != 0 for w in wrappers
    )


def pending_gradients(runner) -> dict[str, torch.Tensor] | None:
    """The gradients of an open accumulation window (CPU copies by parameter name), so a
    checkpoint saved inside a window resumes it exactly; ``None`` between windows."""
    if not _mid_accumulation(runner):
        return None
    model = get_model(runner.model)
    return {
        name: p.grad.detach().cpu().clone()
        for name, p in model.named_parameters()
        if p.grad is not None
    }


def _load_gradients(model: Any, grads: Mapping[str, torch.Tensor] | None) -> None:
    if not grads:
        return
    params = dict(model.named_parameters())
    for name, grad in grads.items():
        if name in params:
            params[name].grad = grad.to(params[name].device, params[name].dtype)


def _load_buffers(model: Any, buffers: Mapping[str, Any]) -> None:
    current = dict(model.named_buffers())
    with torch.no_grad():
        for name, value in buffers.items():
            if name in current:
                current[name].copy_(value)


def gather_rank_states(runner) -> list[dict[str, Any]] | None:
    """What differs between ranks — random-generator states and the model's buffers — of
    every rank, on every rank (a collective); ``None`` in a single process."""
    if get_world_size() == 1:
        return None
    own = {
        'rng': capture_rng_state(),
        'buffers': _persistent_buffers(get_model(runner.model)),
        'grads': pending_gradients(runner),  # local under no_sync: they differ per rank
    }
    return all_gather_object(own)


def build_checkpoint(
    runner,
    meta: dict[str, Any],
    save_optimizer: bool,
    save_param_scheduler: bool,
    rank_states: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The checkpoint dict for the runner's current state (``rank_states``: from
    :func:`gather_rank_states`)."""
    meta = dict(meta)
    meta.update(
        cfg=runner.cfg.pretty_text if runner.cfg else '',
        seed=runner.base_seed,
        world_size=get_world_size(),
        experiment_name=runner.experiment_name,
        time=time.strftime('%Y%m%d_%H%M%S', time.localtime()),
        cadence_version=__version__,
    )
    loop = runner.built_train_loop
    if loop is not None:
        dataset_meta = getattr(loop.dataloader.dataset, 'metainfo', None)
        if dataset_meta is not None:
            meta['dataset_meta'] = dict(dataset_meta)
    model = get_model(runner.model)
    checkpoint: dict[str, Any] = {
        'meta': meta,
        'state_dict': {k: v.detach().cpu() for k, v in model.state_dict().items()},
        'message_hub': runner.message_hub.state_dict(),
    }
    if save_optimizer and runner.optim_wrapper_built:
        checkpoint['optimizer'] = runner.optim_wrapper.state_dict()
    if save_param_scheduler and runner.param_schedulers_built:
        checkpoint['param_schedulers'] = scheduler_states(runner.param_schedulers)
    if loop is not None:
        checkpoint['train_state'] = {
            'loop': loop.state_dict(),
            'rng': capture_rng_state(),
            'hooks': hook_states(runner.hooks),
        }
        if rank_states is not None:
            checkpoint['train_state']['ranks'] = rank_states
        else:
            checkpoint['train_state']['grads'] = pending_gradients(runner)
    return checkpoint


def restore_checkpoint(
    runner,
    checkpoint: Mapping[str, Any],
    resume_optimizer: bool = True,
    resume_param_scheduler: bool = True,
) -> None:
    """Put a checkpoint's training state back into ``runner`` (for ``resume``)."""
    logger = get_logger()
    meta = checkpoint.get('meta', {})
    train_state = checkpoint.get('train_state')
    check_world_size(checkpoint)
    loop = runner.train_loop
    if train_state is not None:
        loop.load_state_dict(train_state['loop'])
    else:
        loop._epoch = int(meta.get('epoch', 0))
        loop._iter = int(meta.get('iter', 0))
        logger.warning(
            'the checkpoint has no data position (not saved by Cadence): the current epoch '
            'restarts from its first batch'
        )
    saved_seed = meta.get('seed')
    if saved_seed is not None and saved_seed != runner.base_seed:
        logger.warning(
            f"the seed in the checkpoint ({saved_seed}) replaces this run's seed "
            f'({runner.base_seed})'
        )
        runner.reseed(saved_seed)
    saved_meta = meta.get('dataset_meta')
    current_meta = getattr(loop.dataloader.dataset, 'metainfo', None)
    if (
        saved_meta is not None
        and current_meta is not None
        and dict(saved_meta) != dict(current_meta)
    ):
        logger.warning("the dataset metainfo differs from the checkpoint's")
    runner.message_hub.load_state_dict(checkpoint.get('message_hub', {}))
    if resume_optimizer and 'optimizer' in checkpoint:
        runner.optim_wrapper.load_state_dict(checkpoint['optimizer'])
    elif resume_optimizer:
        logger.warning(
            'the checkpoint has no optimizer state (a best or published checkpoint?): the '
            'optimizer starts afresh, so the run will not continue exactly'
        )
    if resume_param_scheduler and runner.param_schedulers is not None:
        if 'param_schedulers' in checkpoint:
            from ..optim.scheduler import restore_schedulers

            restore_schedulers(runner.param_schedulers, checkpoint['param_schedulers'])
        else:
            logger.warning('the checkpoint has no scheduler state: schedules restart')
    load_model_state(get_model(runner.model), checkpoint['state_dict'], strict=False)
    if train_state is not None:
        load_hook_states(runner.hooks, train_state.get('hooks', {}))
        ranks = train_state.get('ranks')
        if ranks:
            own = ranks[get_rank()]
            _load_buffers(get_model(runner.model), own['buffers'])
            _load_gradients(get_model(runner.model), own.get('grads'))
            restore_rng_state(own['rng'])
        else:
            _load_gradients(get_model(runner.model), train_state.get('grads'))
            restore_rng_state(train_state['rng'])


def check_world_size(checkpoint: Mapping[str, Any]) -> None:
    """Refuse to resume a checkpoint saved by a different number of processes: the data each
    rank sees, its random generators and the global batch all depend on it."""
    meta = checkpoint.get('meta', {})
    # Cadence checkpoints without the entry predate multi-process runs: one process. Files
    # from the reference have no train_state and say nothing about it.
    saved = meta.get('world_size', 1 if 'train_state' in checkpoint else None)
    current = get_world_size()
    if saved is None or int(saved) == current:
        return
    raise ConfigError(
        f'the checkpoint was saved by a run on {saved} process(es) and this run has {current}: '
        f'resuming needs the same number (the data order, the per-rank random state and the '
        f'global batch depend on it). Resume with torchrun --nproc_per_node={saved} '
        f'(times the nodes), or start a new run from its weights with load_from=<checkpoint> '
        f'and resume=False',
        'resume',
    )
