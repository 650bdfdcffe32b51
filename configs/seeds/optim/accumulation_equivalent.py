# Seed: MMPretrain 'Customize Training Schedule' (English and Chinese pages): what the
# accumulation example is equivalent to, one batch of 256 per step.
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
train_dataloader = dict(batch_size=256)
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.01, weight_decay=0.0001))
# fmt: on
