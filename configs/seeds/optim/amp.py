# Seed: MMPretrain 'Customize Training Schedule' (English and Chinese pages), 'Use AMP training'.
# The seed writes optimizer=...; the SGD of the first example fills it in. On a CPU this runs
# bfloat16 autocast without a loss scaler; on a GPU float16 with dynamic loss scaling.
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
optim_wrapper = dict(
    type='AmpOptimWrapper', optimizer=dict(type='SGD', lr=0.0003, weight_decay=0.0001))
# fmt: on
