# Seed: MMEngine "Parameter Scheduler" (EN and ZH): cosine annealing updated after each epoch.
_base_ = '../../_base_/digits_mlp_run.py'

optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.01, momentum=0.9))

param_scheduler = dict(type='CosineAnnealingLR', by_epoch=True, T_max=12)

train_cfg = dict(by_epoch=True, max_epochs=12, val_interval=1)
val_cfg = dict()
test_cfg = dict()
