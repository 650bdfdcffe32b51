# Seed: MMPretrain 'Customize Training Schedule' (English and Chinese pages), 'Add new optimizer
# constructors': MyOptimWrapperConstructor, registered by my_optim_constructor.py (run from the
# repository root so that custom_imports finds it). The seed writes optimizer=... and
# paramwise_cfg=...; the values below fill them in.
_base_ = '../../_base_/digits_mlp_5_epochs.py'

custom_imports = dict(
    imports=['configs.seeds.optim.my_optim_constructor'], allow_failed_imports=False
)

optim_wrapper = dict(
    constructor=dict(type='MyOptimWrapperConstructor'),
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4),
    paramwise_cfg=dict(norm_weight_decay=0.0),
)
