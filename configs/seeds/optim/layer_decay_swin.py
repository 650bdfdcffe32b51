# Seed: MMSelfSup 'Training Engine' (Chinese page), 'Constructors implemented in MMSelfSup':
# layer-wise lr decay for a Swin Transformer, MMSelfSup style (model_type and layer_decay_rate in
# the optimizer). On a CPU, AmpOptimWrapper runs bfloat16 autocast without a loss scaler.
_base_ = ['../../_base_/models/digits_tiny_swin.py', '../../_base_/digits_run.py']
train_cfg = dict(by_epoch=True, max_epochs=5)
val_cfg = dict()
test_cfg = dict()

# The seed's snippet, verbatim:
# fmt: off
optim_wrapper = dict(
    type='AmpOptimWrapper',
    optimizer=dict(
        type='AdamW', lr=5e-3, model_type='swin', layer_decay_rate=0.9),
    clip_grad=dict(max_norm=5.0),
    paramwise_cfg=dict(
        norm_decay_mult=0.0,
        bias_decay_mult=0.0,
        custom_keys={
            '.absolute_pos_embed': dict(decay_mult=0.0),
            '.relative_position_bias_table': dict(decay_mult=0.0)
        }),
    constructor='mmselfsup.LearningRateDecayOptimWrapperConstructor')
# fmt: on
