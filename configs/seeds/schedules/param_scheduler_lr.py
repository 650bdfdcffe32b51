# Seed: MMEngine "Parameter Scheduler" (EN and ZH), generic parameter scheduler: param_name='lr'
# makes LinearParamScheduler the same as LinearLR.
_base_ = '../../_base_/digits_mlp_run.py'

optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=0.0001))

param_scheduler = [
    dict(
        type='LinearParamScheduler',
        param_name='lr',  # adjust the 'lr' in `optimizer.param_groups`
        start_factor=0.001,
        by_epoch=False,
        begin=0,
        end=1000,
    )
]

train_cfg = dict(by_epoch=False, max_iters=1100, val_interval=550)
val_cfg = dict()
test_cfg = dict()
