# Seed: MMSelfSup 'Training Engine' (Chinese page), 'Automatic mixed precision (AMP) training';
# loss_scale defaults to 'dynamic'. On a CPU this runs bfloat16 autocast without a loss scaler.
_base_ = '../../_base_/digits_mlp_5_epochs.py'

# The seed's snippet, verbatim:
# fmt: off
optimizer = dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0001)
optim_wrapper = dict(type='AmpOptimWrapper', optimizer=optimizer)
# fmt: on
