# Seed: MMSelfSup 'Training Engine' (Chinese page), 'Optimizers implemented in MMSelfSup': LARS.
# The seed gives only the optimizer; the wrapper line is how MMSelfSup's configs use it.
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
optimizer = dict(type='LARS', lr=4.8, momentum=0.9, weight_decay=1e-6)
# fmt: on
optim_wrapper = dict(type='OptimWrapper', optimizer=optimizer)
