# Seed: MMPretrain 'Customize Training Schedule' (English and Chinese pages), 'Gradient
# accumulation': batches of 64, one optimizer step every 4 iterations.
_base_ = '../../_base_/digits_mlp_5_epochs.py'

# The seed's snippet, verbatim:
# fmt: off
train_dataloader = dict(batch_size=64)
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.01, weight_decay=0.0001),
    accumulative_counts=4)
# fmt: on
