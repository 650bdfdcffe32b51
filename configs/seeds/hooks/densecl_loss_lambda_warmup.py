# Seed: MMSelfSup "Training Engine" (训练引擎), hooks: a custom hook from a downstream package,
# DenseCLHook with start_iters=500, used from the config through custom_hooks. The hook and the
# two-loss model live in densecl_hook.py next to this file (run from the repository root).
_base_ = '../../_base_/digits_mlp_run.py'
custom_imports = dict(imports=['configs.seeds.hooks.densecl_hook'], allow_failed_imports=False)

model = dict(type='DenseCLStyleClassifier', loss_lambda=0.5)
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=1e-4))
train_cfg = dict(
    by_epoch=True, max_epochs=15
)  # 45 iterations per epoch: the dense loss from epoch 12
val_cfg = dict()
test_cfg = dict()

# The seed's snippet, verbatim:
custom_hooks = [dict(type='DenseCLHook', start_iters=500)]
