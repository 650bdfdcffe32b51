# Seed: MMPretrain 'Customize Training Schedule' (English and Chinese pages), 'Use optimizers
# supported by PyTorch': SGD, with the wrapper type spelled out.
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
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.0003, weight_decay=0.0001)
)
# fmt: on
