# Seed: MMEngine "Parameter Scheduler" (EN and ZH), another combination: linear warm-up over
# iterations [0, 100), then cosine annealing with a period of 800 over iterations [100, 900).
_base_ = '../../_base_/digits_mlp_run.py'

optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.01, momentum=0.9))

param_scheduler = [
    # linear learning rate in iterations [0, 100)
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=100),
    # cosine learning rate in iterations [100, 900)
    dict(type='CosineAnnealingLR', T_max=800, by_epoch=False, begin=100, end=900),
]

train_cfg = dict(by_epoch=False, max_iters=1000, val_interval=500)
val_cfg = dict()
test_cfg = dict()
