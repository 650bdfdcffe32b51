# Seed: MMPretrain 'Customize Training Schedule' (English and Chinese pages), 'Gradient clipping'.
_base_ = '../../_base_/digits_mlp_5_epochs.py'

# The seed's snippet, verbatim:
# fmt: off
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.01, weight_decay=0.0001),
    # norm_type: type of the used p-norm, here norm_type is 2.
    clip_grad=dict(max_norm=35, norm_type=2))
# fmt: on
