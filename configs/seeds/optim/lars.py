# Seed: MMSelfSup 'Training Engine' (Chinese page), 'Optimizers implemented in MMSelfSup': LARS.
# The seed gives only the optimizer; the wrapper line is how MMSelfSup's configs use it.
_base_ = '../../_base_/digits_mlp_5_epochs.py'

# The seed's snippet, verbatim:
# fmt: off
optimizer = dict(type='LARS', lr=4.8, momentum=0.9, weight_decay=1e-6)
# fmt: on
optim_wrapper = dict(type='OptimWrapper', optimizer=optimizer)
