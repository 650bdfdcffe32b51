# Seed: MMSelfSup 'Training Engine' (Chinese page), 'Gradient accumulation': batches of 64, one
# optimizer step every 4 iterations. The optimizer is the one of the seed's clipping example.
_base_ = '../../_base_/digits_mlp_5_epochs.py'

optimizer = dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0001)

# The seed's snippet, verbatim:
# fmt: off
train_dataloader = dict(batch_size=64)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=optimizer,
    accumulative_counts=4)
# fmt: on
