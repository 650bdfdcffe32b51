# Seed: MMEngine "Parameter Scheduler" (EN and ZH), adjusting by iterations: x0.1 at the end of
# iterations 600 and 800.
_base_ = '../../_base_/digits_mlp_run.py'

optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.01, momentum=0.9))

param_scheduler = dict(type='MultiStepLR', by_epoch=False, milestones=[600, 800], gamma=0.1)

train_cfg = dict(by_epoch=False, max_iters=1000, val_interval=500)
val_cfg = dict()
test_cfg = dict()
