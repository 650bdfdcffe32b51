# Seed: MMPretrain 'Customize Training Schedule' (English and Chinese pages), 'Parameter-wise
# finely configuration': no weight decay for the weights and biases of normalization layers.
_base_ = '../../_base_/digits_mlp_5_epochs.py'

# The seed's snippet, verbatim:
# fmt: off
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.8, weight_decay=1e-4),
    paramwise_cfg=dict(norm_decay_mult=0.))
# fmt: on
