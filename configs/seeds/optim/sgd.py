# Seed: MMPretrain 'Customize Training Schedule' (English and Chinese pages), 'Use optimizers
# supported by PyTorch': SGD, with the wrapper type spelled out.
_base_ = '../../_base_/digits_mlp_5_epochs.py'

# The seed's snippet, verbatim:
# fmt: off
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.0003, weight_decay=0.0001)
)
# fmt: on
