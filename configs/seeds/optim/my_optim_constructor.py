"""``MyOptimWrapperConstructor``, the seeds' custom-constructor template made real (imported by
``custom_constructor.py`` through ``custom_imports``; not a config itself).

It gives every BatchNorm layer its own weight decay, ``paramwise_cfg.norm_weight_decay`` (the
seed's example of a parameter-specific setting), and builds the optimizer and wrapper through
the registries, as a constructor written for the reference would.
"""

from torch import nn

from cadence.registry import OPTIM_WRAPPER_CONSTRUCTORS, OPTIM_WRAPPERS, OPTIMIZERS


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class MyOptimWrapperConstructor:
    def __init__(self, optim_wrapper_cfg, paramwise_cfg=None):
        self.optim_wrapper_cfg = dict(optim_wrapper_cfg)
        self.optimizer_cfg = dict(self.optim_wrapper_cfg.pop('optimizer'))
        self.norm_weight_decay = (paramwise_cfg or {}).get('norm_weight_decay', 0.0)

    def __call__(self, model):
        norm_params, other_params = [], []
        for module in model.modules():
            target = (
                norm_params if isinstance(module, nn.modules.batchnorm._BatchNorm) else other_params
            )
            target.extend(module.parameters(recurse=False))
        groups = [{'params': other_params}]
        if norm_params:
            groups.append({'params': norm_params, 'weight_decay': self.norm_weight_decay})
        optimizer = OPTIMIZERS.build(self.optimizer_cfg, default_args=dict(params=groups))
        wrapper_cfg = dict(self.optim_wrapper_cfg)
        wrapper_cfg.setdefault('type', 'OptimWrapper')
        return OPTIM_WRAPPERS.build(wrapper_cfg, default_args=dict(optimizer=optimizer))
