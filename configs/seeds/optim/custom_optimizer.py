# Seed: MMPretrain 'Customize Training Schedule' (English and Chinese pages), 'Add new
# optimizers': MyOptimizer with arguments a, b and c, registered by my_optimizer.py (run from the
# repository root so that custom_imports finds it). The seed writes a=a_value, ...; the values
# below fill them in.
_base_ = '../../_base_/digits_mlp_5_epochs.py'

custom_imports = dict(imports=['configs.seeds.optim.my_optimizer'], allow_failed_imports=False)

optim_wrapper = dict(optimizer=dict(type='MyOptimizer', a=0.01, b=0.9, c=1e-4))
