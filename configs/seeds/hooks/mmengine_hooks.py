# Seed: MMSelfSup "Training Engine" (训练引擎), "hooks implemented in MMEngine" (MMEngine中实现的常用钩子):
# EMAHook, EmptyCacheHook and NaiveVisualizationHook added through custom_hooks (SyncBuffersHook,
# the fourth, matters only in distributed training), plus EarlyStoppingHook.
#   cadence train configs/seeds/hooks/mmengine_hooks.py
#   cadence test configs/seeds/hooks/mmengine_hooks.py work_dirs/mmengine_hooks/epoch_20.pth
# Validation reports accuracy/top1 (the averaged weights) and accuracy/top1_origin (the raw ones);
# the test writes a grid of predictions to work_dirs/mmengine_hooks/<timestamp>/vis_data/vis_image/.
_base_ = '../../_base_/digits_mlp_run.py'

optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4))
train_cfg = dict(by_epoch=True, max_epochs=20)
val_cfg = dict()
test_cfg = dict()

custom_hooks = [
    # momentum is the weight of the new value: decay 0.99; start averaging in the second epoch
    dict(type='EMAHook', momentum=0.01, begin_epoch=2, evaluate_on_origin=True, priority='NORMAL'),
    dict(type='EmptyCacheHook', after_epoch=True),
    dict(type='NaiveVisualizationHook', max_samples=36),
    dict(type='EarlyStoppingHook', monitor='accuracy/top1', patience=5, min_delta=0.1),
]
