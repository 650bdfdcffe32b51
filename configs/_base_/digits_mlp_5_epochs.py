# The digits MLP trained for 5 epochs with validation: what the optimizer seeds add their
# optim_wrapper to.
_base_ = ['digits_mlp_run.py']
train_cfg = dict(by_epoch=True, max_epochs=5)
val_cfg = dict()
test_cfg = dict()
