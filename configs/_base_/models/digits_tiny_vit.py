# A tiny Vision Transformer for 8x8 digits (parameter names follow MMPretrain's ViT:
# backbone.cls_token, backbone.pos_embed, backbone.patch_embed.projection, backbone.layers.N,
# backbone.ln1, head), so layer-wise lr decay and MAE-style custom_keys apply unchanged.
model = dict(
    type='TinyViTClassifier',
    img_size=8,
    patch_size=2,
    embed_dims=32,
    num_layers=4,
    num_heads=4,
    num_classes=10,
)
