# Seed: MMPretrain 'Customize Training Schedule' (English and Chinese pages): custom_keys give
# backbone.layer0 lr and weight decay 0, the rest of the backbone the optimizer's, the head lr x0.1.
_base_ = '../../_base_/digits_mlp_5_epochs.py'

# The seed's snippet, verbatim:
# fmt: off
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.01, weight_decay=0.0001),
    paramwise_cfg=dict(
        custom_keys={
            'backbone.layer0': dict(lr_mult=0, decay_mult=0),
            'backbone': dict(lr_mult=1),
            'head': dict(lr_mult=0.1)
        }))
# fmt: on
