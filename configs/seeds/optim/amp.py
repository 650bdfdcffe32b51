# Seed: MMPretrain 'Customize Training Schedule' (English and Chinese pages), 'Use AMP training'.
# The seed writes optimizer=...; the SGD of the first example fills it in. On a CPU this runs
# bfloat16 autocast without a loss scaler; on a GPU float16 with dynamic loss scaling.
_base_ = '../../_base_/digits_mlp_5_epochs.py'

# The seed's snippet, verbatim:
# fmt: off
optim_wrapper = dict(
    type='AmpOptimWrapper', optimizer=dict(type='SGD', lr=0.0003, weight_decay=0.0001))
# fmt: on
