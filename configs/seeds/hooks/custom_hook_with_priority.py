# Seed: MMSelfSup "Training Engine" (训练引擎), hooks: "custom_hooks = [dict(type='MMEngineHook',
# a=a_value, b=b_value, priority='NORMAL')]" — a hook with its arguments and an explicit
# priority. Made runnable with a small hook from densecl_hook.py that stops training once the
# validation accuracy reaches a threshold.
_base_ = '../../_base_/digits_mlp_run.py'
custom_imports = dict(imports=['configs.seeds.hooks.densecl_hook'], allow_failed_imports=False)

optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4))
train_cfg = dict(by_epoch=True, max_epochs=50)
val_cfg = dict()
test_cfg = dict()

custom_hooks = [
    dict(type='StopAtMetricHook', metric='accuracy/top1', threshold=97.0, priority='NORMAL')
]
