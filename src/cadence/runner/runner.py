"""``Runner``: builds a training run from a config and drives it (``train``, ``val``, ``test``).

The constructor checks the whole configuration first (every mistake is a ``ConfigError`` naming
its key path), then builds the cheap things: environment, seeds, logging, the model and the
hooks. Data, the optimizer wrapper and the schedulers are built when a run starts.
"""

from __future__ import annotations

import copy
import os
import platform
import time
from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch import nn

from ..config import Config, import_custom_modules_from
from ..dataset import build_dataloader
from ..dist import broadcast_object, get_rank, get_world_size, init_dist, is_main_process
from ..errors import ConfigError, suggestion_text
from ..hooks.hook import STAGES, Hook
from ..logging import MessageHub, attach_run_handlers, build_visualizer, get_logger
from ..model import BaseDataPreprocessor, get_model
from ..registry import LOG_PROCESSORS, LOOPS, MODELS, RUNNERS, set_default_scope
from ..version import __version__
from . import env
from .checkpointing import CheckpointingMixin
from .config_check import check_runner_config, train_loop_cfg
from .defaults import CFG_KEYS, DEFAULT_HOOKS, get_device
from .distributed import broadcast_model_state, log_distributed_setup, wrap_model
from .hook_list import HookList
from .interrupt import InterruptRequest, TrainingInterrupted, catch_interrupts
from .loops import BaseLoop, EpochBasedTrainLoop
from .optim_setup import build_optim_wrapper, build_schedulers, is_built_optim_wrapper, scale_lr
from .randomness import check_randomness, seed_ranks


@RUNNERS.register_module()
class Runner(CheckpointingMixin):
    """Everything a training run needs, built from config dicts (or objects) and driven by
    loops and hooks. Arguments are the reference's; see ``docs/runner.md``."""

    def __init__(
        self,
        model: nn.Module | dict,
        work_dir: str,
        train_dataloader: Any = None,
        val_dataloader: Any = None,
        test_dataloader: Any = None,
        train_cfg: dict | None = None,
        val_cfg: dict | None = None,
        test_cfg: dict | None = None,
        auto_scale_lr: dict | None = None,
        optim_wrapper: Any = None,
        param_scheduler: Any = None,
        val_evaluator: Any = None,
        test_evaluator: Any = None,
        default_hooks: dict | None = None,
        custom_hooks: Sequence | None = None,
        data_preprocessor: dict | None = None,
        load_from: str | None = None,
        resume: bool = False,
        launcher: str = 'none',
        env_cfg: dict | None = None,
        log_processor: dict | None = None,
        log_level: str | int = 'INFO',
        visualizer: Any = None,
        default_scope: str = 'cadence',
        randomness: dict | None = None,
        experiment_name: str | None = None,
        cfg: Config | dict | None = None,
    ) -> None:
        values = {name: value for name, value in locals().items() if name in CFG_KEYS}
        check_runner_config(values)
        if cfg is not None and not isinstance(cfg, Config):
            cfg = Config(cfg)
        self.cfg = cfg
        if not isinstance(work_dir, (str, os.PathLike)) or not str(work_dir):
            raise ConfigError(f'must be a directory path, got {work_dir!r}', 'work_dir')

        self._launcher = launcher
        self._env_cfg = env_cfg
        env.setup_env(env_cfg if env_cfg is not None else {'dist_cfg': {'backend': 'nccl'}})
        init_dist(launcher, **env.dist_cfg(env_cfg))
        # rank 0 decides where the run lives and when it started; the others follow
        self._work_dir = broadcast_object(os.path.abspath(work_dir))
        if is_main_process():
            os.makedirs(self._work_dir, exist_ok=True)
        self._randomness = check_randomness(randomness if randomness is not None else {})
        self._base_seed, self._seed = seed_ranks(**self._randomness)
        self._timestamp = broadcast_object(time.strftime('%Y%m%d_%H%M%S', time.localtime()))
        stem = None
        if cfg is not None and cfg.filename:
            stem = os.path.splitext(os.path.basename(cfg.filename))[0]
        name = experiment_name or stem
        self._experiment_name = f'{name}_{self._timestamp}' if name else self._timestamp
        self._log_dir = os.path.join(self._work_dir, self._timestamp)
        set_default_scope(default_scope)

        self.message_hub = MessageHub.create_instance(self._experiment_name)
        log_file = os.path.join(self._log_dir, f'{self._timestamp}.log')
        # only rank 0 writes the log; the other ranks print their errors
        main = is_main_process()
        attach_run_handlers(log_file if main else None, log_level if main else 'ERROR')
        self.logger = get_logger()
        self.log_processor = self._build_log_processor(log_processor)
        self.visualizer = build_visualizer(
            visualizer, name=self._experiment_name, log_dir=self._log_dir
        )
        self._log_environment()

        self.model = wrap_model(self.build_model(model, data_preprocessor), cfg, self.distributed)

        self._train_dataloader = train_dataloader
        self._val_dataloader = val_dataloader
        self._test_dataloader = test_dataloader
        self._train_loop: Any = train_cfg
        self._val_loop: Any = val_cfg
        self._test_loop: Any = test_cfg
        self._val_evaluator = val_evaluator
        self._test_evaluator = test_evaluator
        self.optim_wrapper: Any = optim_wrapper
        self.param_schedulers: Any = param_scheduler
        self.auto_scale_lr = auto_scale_lr
        self._schedulers_built = False
        self._load_from = load_from
        self._resume = resume
        self._has_loaded = False
        self._losses_checked_through = -1
        self.interrupt = InterruptRequest()
        self.training = False

        self._hooks = HookList()
        self.register_hooks(default_hooks, custom_hooks)
        self.logger.info('Hooks will be executed in the following order:\n' + self.hook_order())
        self._dump_config()

    @classmethod
    def from_cfg(cls, cfg: Config | Mapping[str, Any]) -> Runner:
        """Build a Runner from a whole config (the keys of ``CFG_KEYS`` plus ``model`` and
        ``work_dir``)."""
        cfg = cfg.copy() if isinstance(cfg, Config) else Config(copy.deepcopy(dict(cfg)))
        if 'custom_imports' in cfg:
            import_custom_modules_from(cfg)
        for required in ('model', 'work_dir'):
            if cfg.get(required) is None:
                hint = (
                    ' (cadence train sets it from the config name; or pass --work-dir)'
                    if required == 'work_dir'
                    else ''
                )
                raise ConfigError(f'the config does not set {required!r}{hint}', required)
        kwargs = {key: cfg.get(key, copy.deepcopy(default)) for key, default in CFG_KEYS.items()}
        return cls(model=cfg['model'], work_dir=cfg['work_dir'], cfg=cfg, **kwargs)

    # -- simple properties -------------------------------------------------------------------

    @property
    def work_dir(self) -> str:
        return self._work_dir

    @property
    def log_dir(self) -> str:
        return self._log_dir

    @property
    def timestamp(self) -> str:
        return self._timestamp

    @property
    def experiment_name(self) -> str:
        return self._experiment_name

    @property
    def seed(self) -> int:
        """This process's seed (``base_seed`` plus the rank with ``diff_rank_seed``)."""
        return self._seed

    @property
    def base_seed(self) -> int:
        """The seed every rank shares (samplers shuffle with it)."""
        return self._base_seed

    @property
    def launcher(self) -> str:
        return self._launcher

    @property
    def distributed(self) -> bool:
        return self._launcher != 'none'

    @property
    def rank(self) -> int:
        return get_rank()

    @property
    def world_size(self) -> int:
        return get_world_size()

    @property
    def hooks(self) -> list[Hook]:
        return self._hooks.hooks

    # -- loops and data ----------------------------------------------------------------------

    @property
    def built_train_loop(self) -> BaseLoop | None:
        """The train loop if it has been built (without building it)."""
        return self._train_loop if isinstance(self._train_loop, BaseLoop) else None

    @property
    def train_loop(self) -> BaseLoop | None:
        if self._train_loop is not None and not isinstance(self._train_loop, BaseLoop):
            self._train_loop = self.build_train_loop(self._train_loop)
        return self._train_loop

    @property
    def val_loop(self) -> BaseLoop | None:
        if self._val_loop is not None and not isinstance(self._val_loop, BaseLoop):
            self._val_loop = self._build_eval_loop('val', self._val_loop)
        return self._val_loop

    @property
    def test_loop(self) -> BaseLoop | None:
        if self._test_loop is not None and not isinstance(self._test_loop, BaseLoop):
            self._test_loop = self._build_eval_loop('test', self._test_loop)
        return self._test_loop

    @property
    def train_dataloader(self) -> Any:
        loop = self.train_loop
        return loop.dataloader if loop is not None else None

    @property
    def val_dataloader(self) -> Any:
        loop = self.val_loop
        return loop.dataloader if loop is not None else None

    @property
    def test_dataloader(self) -> Any:
        loop = self.test_loop
        return loop.dataloader if loop is not None else None

    @property
    def train_by_epoch(self) -> bool:
        """Whether training counts in epochs (an epoch-based train loop)."""
        loop = self._train_loop
        if isinstance(loop, BaseLoop):
            return isinstance(loop, EpochBasedTrainLoop)
        if isinstance(loop, Mapping):
            return train_loop_cfg(loop)['type'] in ('EpochBasedTrainLoop', EpochBasedTrainLoop)
        return True

    # The counters are read several times per iteration: keep them to one attribute lookup.

    @property
    def epoch(self) -> int:
        loop = self._train_loop
        return loop.epoch if isinstance(loop, BaseLoop) else 0

    @property
    def iter(self) -> int:
        loop = self._train_loop
        return loop.iter if isinstance(loop, BaseLoop) else 0

    @property
    def max_epochs(self) -> int:
        loop = self._train_loop
        return loop.max_epochs if isinstance(loop, BaseLoop) else 0

    @property
    def max_iters(self) -> int:
        loop = self._train_loop
        return loop.max_iters if isinstance(loop, BaseLoop) else 0

    def build_dataloader(self, dataloader: Any, key_path: str) -> Any:
        """A DataLoader from a config dict (or the loader itself). Samplers get the seed all
        ranks share, so they split one order between them."""
        return build_dataloader(dataloader, seed=self._base_seed, key_path=key_path)

    def build_train_loop(self, loop: Any) -> BaseLoop:
        if isinstance(loop, BaseLoop):
            return loop
        dataloader = self.build_dataloader(self._train_dataloader, 'train_dataloader')
        return LOOPS.build(
            train_loop_cfg(loop),
            default_args={'runner': self, 'dataloader': dataloader},
            key_path='train_cfg',
        )

    def _build_eval_loop(self, mode: str, loop: Any) -> BaseLoop:
        if isinstance(loop, BaseLoop):
            return loop
        dataloader = self.build_dataloader(
            getattr(self, f'_{mode}_dataloader'), f'{mode}_dataloader'
        )
        cfg = {'type': 'ValLoop' if mode == 'val' else 'TestLoop', **loop}
        return LOOPS.build(
            cfg,
            default_args={
                'runner': self,
                'dataloader': dataloader,
                'evaluator': getattr(self, f'_{mode}_evaluator'),
            },
            key_path=f'{mode}_cfg',
        )

    # -- model, optimizer, schedulers --------------------------------------------------------

    def build_model(self, model: nn.Module | Mapping, data_preprocessor: Any = None) -> nn.Module:
        """Build the model (``data_preprocessor`` fills in the model's when unset) and move it
        to :func:`get_device`."""
        if isinstance(model, Mapping):
            cfg = dict(model)
            if data_preprocessor is not None:
                cfg.setdefault('data_preprocessor', data_preprocessor)
            model = MODELS.build(cfg, key_path='model')
        if not isinstance(model, nn.Module) or not all(
            callable(getattr(model, step, None)) for step in ('train_step', 'val_step', 'test_step')
        ):
            raise ConfigError(
                f'{type(model).__name__} is not a trainable model: it must be an nn.Module with '
                f'train_step / val_step / test_step (subclass cadence.model.BaseModel)',
                'model',
            )
        device = get_device()
        model = model.to(device)
        for module in model.modules():  # models that are not BaseModels do not track this
            if isinstance(module, BaseDataPreprocessor):
                module._device = device
        return model

    @property
    def optim_wrapper_built(self) -> bool:
        return is_built_optim_wrapper(self.optim_wrapper)

    @property
    def param_schedulers_built(self) -> bool:
        return self.param_schedulers is not None and self._schedulers_built

    def reseed(self, seed: int) -> None:
        """Use ``seed`` (shared by all ranks) from now on (a resumed checkpoint's seed)."""
        self._base_seed, self._seed = seed_ranks(
            seed,
            deterministic=self._randomness.get('deterministic', False),
            diff_rank_seed=self._randomness.get('diff_rank_seed', False),
        )

    # -- hooks -------------------------------------------------------------------------------

    def register_hook(self, hook: Hook | Mapping[str, Any], priority: Any = None) -> Hook:
        """Add a hook (instance or config dict) at its priority."""
        return self._hooks.register(hook, priority, key_path='custom_hooks')

    def register_hooks(self, default_hooks: Mapping | None, custom_hooks: Sequence | None) -> None:
        """The default hooks (``default_hooks`` entries replace them; ``None`` removes one),
        then ``custom_hooks`` in order."""
        merged: dict[str, Any] = dict(DEFAULT_HOOKS)
        merged.update(default_hooks or {})
        for name, hook in merged.items():
            if hook is not None:
                self._hooks.register(hook, key_path=f'default_hooks.{name}')
        for index, hook in enumerate(custom_hooks or []):
            self._hooks.register(hook, key_path=f'custom_hooks.{index}')

    def hook_order(self) -> str:
        """The per-stage hook execution order table."""
        return self._hooks.order_table()

    def call_hook(self, fn_name: str, **kwargs: Any) -> None:
        """Call stage ``fn_name`` on every hook that implements it, in priority order."""
        try:
            methods = self._hooks.methods[fn_name]
        except KeyError:
            raise ValueError(
                f'{fn_name!r} is not a hook stage.{suggestion_text(fn_name, STAGES)}'
            ) from None
        for method in methods:
            try:
                method(self, **kwargs)
            except TypeError as exc:
                raise TypeError(f'{exc} (in {type(method.__self__).__name__}.{fn_name})') from exc

    # -- running -----------------------------------------------------------------------------

    def train(self) -> nn.Module:
        """Train (validating as configured) and return the model."""
        if self._train_loop is None:
            raise ConfigError(
                'cannot train: set train_dataloader, train_cfg and optim_wrapper', 'train_cfg'
            )
        self.message_hub.make_current()  # the optimizer wrapper publishes into it
        loop = self.train_loop
        self.optim_wrapper = build_optim_wrapper(self.model, self.optim_wrapper)
        scale_lr(self.optim_wrapper, self.auto_scale_lr, loop.batch_size, self.logger)
        if self.param_schedulers is not None and not self._schedulers_built:
            self.param_schedulers = build_schedulers(self, self.param_schedulers)
            self._schedulers_built = True
        _ = self.val_loop
        self.call_hook('before_run')
        init_weights = getattr(get_model(self.model), 'init_weights', None)
        if callable(init_weights):
            init_weights()
            if self.distributed:
                broadcast_model_state(get_model(self.model))
        self.load_or_resume()
        self.optim_wrapper.initialize_count_status(self.model, loop.iter, loop.max_iters)
        self.training = True
        try:
            with catch_interrupts(self.interrupt):
                model = loop.run()
        except TrainingInterrupted:
            self.call_hook('after_run')
            raise
        finally:
            self.training = False
        self.call_hook('after_run')
        return model

    def val(self) -> dict[str, Any]:
        """Run validation once and return the metrics."""
        return self._evaluate('val')

    def test(self) -> dict[str, Any]:
        """Run the test loop once and return the metrics."""
        return self._evaluate('test')

    def _evaluate(self, mode: str) -> dict[str, Any]:
        loop = getattr(self, f'{mode}_loop')
        if loop is None:
            raise ConfigError(
                f'cannot {mode}: set {mode}_dataloader, {mode}_cfg and {mode}_evaluator',
                f'{mode}_cfg',
            )
        self.message_hub.make_current()
        self.call_hook('before_run')
        self.load_or_resume()
        metrics = loop.run()
        self.call_hook('after_run')
        return metrics

    # -- setup details -----------------------------------------------------------------------

    def _build_log_processor(self, cfg: Any) -> Any:
        if cfg is None:
            cfg = {}
        if not isinstance(cfg, Mapping):
            return cfg
        return LOG_PROCESSORS.build({'type': 'LogProcessor', **cfg}, key_path='log_processor')

    def _log_environment(self) -> None:
        cuda = torch.cuda.is_available()
        self.logger.info(
            f'Cadence {__version__}, Python {platform.python_version()}, torch '
            f'{torch.__version__}, CUDA {"available" if cuda else "not available"}, '
            f'seed {self._seed}, deterministic {self._randomness.get("deterministic", False)}, '
            f'work_dir {self._work_dir}'
        )
        if self.distributed:
            log_distributed_setup(self.logger, env.dist_cfg(self._env_cfg).get('backend'))

    def _dump_config(self) -> None:
        if self.cfg is None or not is_main_process():
            return
        stem = self._timestamp
        if self.cfg.filename:
            stem = os.path.splitext(os.path.basename(self.cfg.filename))[0]
        name = f'{stem}.py'
        self.cfg.dump(os.path.join(self._work_dir, name))
        if hasattr(self.visualizer, 'add_config'):
            self.visualizer.add_config(self.cfg)  # vis_data/config.py for the local backend
