# Seed: MMEngine "Parameter Scheduler" (EN and ZH), generic parameter scheduler on another key:
# the weight decay of SGD. The same run as param_scheduler_lr.py with the other param_name.
_base_ = 'param_scheduler_lr.py'

param_scheduler = [
    dict(
        type='LinearParamScheduler',
        param_name='weight_decay',  # adjust 'weight_decay' in `optimizer.param_groups`
        start_factor=0.001,
        by_epoch=False,
        begin=0,
        end=1000,
    )
]
