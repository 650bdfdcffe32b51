# Seed: MMSelfSup 'Training Engine' (Chinese page): what the accumulation example is equivalent
# to, one batch of 256 per step (accumulative_counts=1).
_base_ = '../../_base_/digits_mlp_5_epochs.py'

optimizer = dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0001)

# The seed's snippet, verbatim:
# fmt: off
train_dataloader = dict(batch_size=256)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=optimizer,
    accumulative_counts=1)
# fmt: on
