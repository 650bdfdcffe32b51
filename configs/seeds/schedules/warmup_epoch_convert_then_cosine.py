# Seed: MMPretrain "Customize Training Schedule" (EN and ZH) example 2: linear warm-up written
# in epochs [0, 10) but updated every iteration, then cosine annealing from epoch 10.
_base_ = '../../_base_/digits_mlp_run.py'

optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=0.0001))

param_scheduler = [
    # linear warm-up by epochs in [0, 10) epochs, updated every iteration
    dict(
        type='LinearLR',
        start_factor=0.001,
        by_epoch=True,
        end=10,
        convert_to_iter_based=True,
    ),
    # cosine annealing after 10 epochs
    dict(type='CosineAnnealingLR', by_epoch=True, begin=10),
]

train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=1)
val_cfg = dict()
test_cfg = dict()
