# Seed: MMSelfSup 'Training Engine' (Chinese page), 'Automatic mixed precision (AMP) training';
# loss_scale defaults to 'dynamic'. On a CPU this runs bfloat16 autocast without a loss scaler.
_base_ = [
    '../../_base_/models/digits_mlp.py',
    '../../_base_/datasets/digits.py',
    '../../_base_/default_runtime.py',
]
train_cfg = dict(by_epoch=True, max_epochs=5)
val_cfg = dict()
test_cfg = dict()

# The seed's snippet, verbatim:
# fmt: off
optimizer = dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0001)
optim_wrapper = dict(type='AmpOptimWrapper', optimizer=optimizer)
# fmt: on
