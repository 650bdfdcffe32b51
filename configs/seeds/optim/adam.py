# Seed: MMPretrain 'Customize Training Schedule' (English and Chinese pages): Adam with every
# argument of torch.optim.Adam set, and the wrapper type spelled out.
_base_ = '../../_base_/digits_mlp_5_epochs.py'

# The seed's snippet, verbatim:
# fmt: off
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer = dict(
        type='Adam',
        lr=0.001,
        betas=(0.9, 0.999),
        eps=1e-08,
        weight_decay=0,
        amsgrad=False),
)
# fmt: on
