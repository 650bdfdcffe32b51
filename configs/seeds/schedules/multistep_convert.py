# Seed: MMEngine "Parameter Scheduler" (EN and ZH), settings in epochs, updated every iteration
# (convert_to_iter_based=True, the config form of MultiStepLR.build_iter_from_epoch).
_base_ = '../../_base_/digits_mlp_run.py'

optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.01, momentum=0.9))

param_scheduler = dict(
    type='MultiStepLR', by_epoch=True, milestones=[8, 11], gamma=0.1, convert_to_iter_based=True
)

train_cfg = dict(by_epoch=True, max_epochs=12, val_interval=1)
val_cfg = dict()
test_cfg = dict()
