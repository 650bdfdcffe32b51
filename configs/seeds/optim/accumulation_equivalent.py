# Seed: MMPretrain 'Customize Training Schedule' (English and Chinese pages): what the
# accumulation example is equivalent to, one batch of 256 per step.
_base_ = '../../_base_/digits_mlp_5_epochs.py'

# The seed's snippet, verbatim:
# fmt: off
train_dataloader = dict(batch_size=256)
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.01, weight_decay=0.0001))
# fmt: on
