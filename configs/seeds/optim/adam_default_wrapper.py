# Seed: MMPretrain 'Customize Training Schedule' (English and Chinese pages): the same Adam with
# the wrapper type left out (OptimWrapper is the default).
_base_ = '../../_base_/digits_mlp_5_epochs.py'

# The seed's snippet, verbatim:
# fmt: off
optim_wrapper = dict(
    optimizer=dict(
        type='Adam',
        lr=0.001,
        betas=(0.9, 0.999),
        eps=1e-08,
        weight_decay=0,
        amsgrad=False))
# fmt: on
