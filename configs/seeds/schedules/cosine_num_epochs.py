# Seed: MMPretrain "Customize Training Schedule" (EN and ZH), single learning rate schedule:
# cosine annealing over the whole run (T_max=num_epochs).
_base_ = '../../_base_/digits_mlp_run.py'

optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=0.0001))

num_epochs = 100
param_scheduler = dict(type='CosineAnnealingLR', by_epoch=True, T_max=num_epochs)

train_cfg = dict(by_epoch=True, max_epochs=num_epochs, val_interval=1)
val_cfg = dict()
test_cfg = dict()
