# The digits data and the runtime: everything of a run on digits but the model, the optimizer
# and the schedule.
_base_ = ['datasets/digits.py', 'default_runtime.py']
