# Seed: MMPretrain "Customize Training Schedule" and MMEngine "Parameter Scheduler" (EN and ZH),
# momentum schedules: a learning rate scheduler plus LinearMomentum over the first 1000 iterations.
# The seeds write the lr scheduler as dict(type='LinearLR', ...); here a 200-iteration warm-up.
_base_ = '../../_base_/digits_mlp_run.py'

optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=0.0001))

param_scheduler = [
    # the lr scheduler
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=200),
    # the momentum scheduler
    dict(type='LinearMomentum', start_factor=0.001, by_epoch=False, begin=0, end=1000),
]

train_cfg = dict(by_epoch=False, max_iters=1200, val_interval=400)
val_cfg = dict()
test_cfg = dict()
