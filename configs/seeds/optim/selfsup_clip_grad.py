# Seed: MMSelfSup 'Training Engine' (Chinese page), 'Gradient clipping' (its one tab indent is spaces
# here).
_base_ = '../../_base_/digits_mlp_5_epochs.py'

# The seed's snippet, verbatim:
# fmt: off
optimizer = dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0001)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=optimizer,
    clip_grad=dict(
        max_norm=0.2,
        norm_type=2))
# norm_type: type of the used p-norm, here norm_type is 2.
# fmt: on
