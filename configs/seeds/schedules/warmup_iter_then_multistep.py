# Seed: MMPretrain "Customize Training Schedule" example 1 and MMEngine "Parameter Scheduler"
# (EN and ZH), combining schedulers: linear warm-up for the first 50 iterations, then MultiStepLR
# by epoch (the Chinese MMEngine page names the field `scheduler`; it is `param_scheduler`).
_base_ = '../../_base_/digits_mlp_run.py'

optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=0.0001))

param_scheduler = [
    # linear warm-up by iterations
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=50),
    # the main learning rate schedule, by epochs
    dict(type='MultiStepLR', by_epoch=True, milestones=[8, 11], gamma=0.1),
]

train_cfg = dict(by_epoch=True, max_epochs=12, val_interval=1)
val_cfg = dict()
test_cfg = dict()
