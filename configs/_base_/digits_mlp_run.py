# The digits MLP on the digits data with the default runtime (add an optimizer and a schedule).
_base_ = ['models/digits_mlp.py', 'digits_run.py']
