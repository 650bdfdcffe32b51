# Seed: MMEngine "Parameter Scheduler" (EN and ZH), a single scheduler from the config:
# x0.1 at the end of epochs 8 and 11 (the optimizer of the seed's hand-built example).
_base_ = '../../_base_/digits_mlp_run.py'

optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.01, momentum=0.9))

param_scheduler = dict(type='MultiStepLR', by_epoch=True, milestones=[8, 11], gamma=0.1)

train_cfg = dict(by_epoch=True, max_epochs=12, val_interval=1)
val_cfg = dict()
test_cfg = dict()
