# The default job: a small MLP on scikit-learn's handwritten digits (shipped with scikit-learn, no
# download), SGD with a linear warmup then cosine decay, validation after every epoch, the best
# and last three checkpoints kept, text and JSON logs. Reaches 95%+ validation accuracy in well
# under a minute on a 2-core CPU:
#   cadence train configs/digits/mlp_warmup_cosine.py
_base_ = [
    '../_base_/models/digits_mlp.py',
    '../_base_/datasets/digits.py',
    '../_base_/default_runtime.py',
]

max_epochs = 30

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4, nesterov=True)
)
param_scheduler = [
    # warm up over the first two epochs, one step per iteration
    dict(
        type='LinearLR',
        start_factor=0.01,
        by_epoch=True,
        begin=0,
        end=2,
        convert_to_iter_based=True,
    ),
    # then decay smoothly until the end of training
    dict(
        type='CosineAnnealingLR',
        eta_min=1e-4,
        by_epoch=True,
        begin=2,
        end=max_epochs,
        convert_to_iter_based=True,
    ),
]

train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=1)
val_cfg = dict()
test_cfg = dict()

default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=3, save_best='auto'),
)

# the learning rate above is for a total batch of 32 (see --auto-scale-lr)
auto_scale_lr = dict(base_batch_size=32)
