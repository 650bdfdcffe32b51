# A tiny Swin Transformer for 8x8 digits (parameter names follow MMPretrain's Swin:
# backbone.patch_embed, backbone.absolute_pos_embed, backbone.stages.S.blocks.B (with
# relative_position_bias_table), backbone.stages.S.downsample.{reduction,norm}, head).
model = dict(
    type='TinySwinClassifier',
    img_size=8,
    patch_size=2,
    embed_dims=32,
    depths=(2, 2),
    num_heads=(2, 4),
    window_size=2,
    num_classes=10,
)
