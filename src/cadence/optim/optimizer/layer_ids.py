"""Layer ids for layer-wise lr decay: pure functions of parameter names.

A parameter in layer ``i`` of ``n`` gets ``lr = base_lr × rate ** (n - i - 1)``: the input layer
(patch embedding, tokens) learns slowest, the head at full rate. Each function returns
``(layer_id, num_layers)``.

- ``vit_layer_depth`` / ``swin_layer_depth`` / ``convnext_layer_depth``: MMPretrain's backbones'
  ``get_layer_depth(name, prefix)``.
- ``selfsup_*_layer_depth``: MMSelfSup's ``model_type='vit'|'swin'|'mixmim'`` rules.
- :func:`infer_layer_depth`: Cadence's own, for models without ``get_layer_depth``: reads the
  block structure from the names (``layers.N`` / ``blocks.N``, ``stages.S.blocks.B``,
  ConvNeXt's ``downsample_layers.S`` + ``stages.S.B``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from ...errors import ConfigError

LayerDepth = tuple[int, int]

#: Names of embeddings that belong to the input layer (id 0) in the inferred rules.
INPUT_TOKENS = frozenset(
    {'cls_token', 'pos_embed', 'mask_token', 'dist_token', 'absolute_pos_embed'}
)


def vit_layer_depth(name: str, num_blocks: int, prefix: str = 'backbone.') -> LayerDepth:
    """MMPretrain ViT/BEiT: tokens and ``patch_embed`` 0, ``layers.i`` i+1, the rest last."""
    num_layers = num_blocks + 2
    if not name.startswith(prefix):
        return num_layers - 1, num_layers
    rest = name[len(prefix) :]
    if rest in ('cls_token', 'pos_embed') or rest.startswith('patch_embed'):
        return 0, num_layers
    if rest.startswith('layers.'):
        return int(rest.split('.')[1]) + 1, num_layers
    return num_layers - 1, num_layers


def swin_layer_depth(name: str, depths: Sequence[int], prefix: str = 'backbone.') -> LayerDepth:
    """MMPretrain Swin: ``patch_embed`` 0, ``stages.s.blocks.b`` ``sum(depths[:s]) + b + 1``,
    ``stages.s.downsample`` ``sum(depths[:s+1])``, the rest (``absolute_pos_embed`` too) last."""
    num_layers = sum(depths) + 2
    if not name.startswith(prefix):
        return num_layers - 1, num_layers
    rest = name[len(prefix) :]
    if rest.startswith('patch_embed'):
        return 0, num_layers
    if rest.startswith('stages.'):
        parts = rest.split('.')
        stage = int(parts[1])
        block = parts[3]
        if block in ('reduction', 'norm'):
            return sum(depths[: stage + 1]), num_layers
        return sum(depths[:stage]) + int(block) + 1, num_layers
    return num_layers - 1, num_layers


def convnext_layer_depth(name: str, depths: Sequence[int], prefix: str = 'backbone.') -> LayerDepth:
    """MMPretrain ConvNeXt: 12 (or 6) layers; stage 2 is split into groups of 3 blocks."""
    max_id = 12 if depths[-2] > 9 else 6
    num_layers = max_id + 2
    if not name.startswith(prefix):
        return max_id + 1, num_layers
    rest = name[len(prefix) :]
    parts = rest.split('.')
    if rest.startswith('downsample_layers.'):
        stage = int(parts[1])
        layer = 0 if stage == 0 else stage + 1 if stage in (1, 2) else max_id
    elif rest.startswith('stages.'):
        stage, block = int(parts[1]), int(parts[2])
        layer = stage + 1 if stage in (0, 1) else 3 + block // 3 if stage == 2 else max_id
    else:
        layer = max_id + 1
    return layer, num_layers


def selfsup_vit_layer_depth(name: str, num_blocks: int) -> LayerDepth:
    """MMSelfSup ``model_type='vit'`` (full names, e.g. ``backbone.layers.3.ffn...``)."""
    num_layers = num_blocks + 2
    if name in ('backbone.cls_token', 'backbone.mask_token', 'backbone.pos_embed'):
        return 0, num_layers
    if name.startswith('backbone.patch_embed'):
        return 0, num_layers
    if name.startswith('backbone.layers'):
        return int(name.split('.')[2]) + 1, num_layers
    return num_layers - 1, num_layers


def selfsup_swin_layer_depth(name: str, depths: Sequence[int]) -> LayerDepth:
    """MMSelfSup ``model_type='swin'``: like MMPretrain's, with ``mask_token`` at 0."""
    num_layers = sum(depths) + 2
    if 'mask_token' in name or 'patch_embed' in name:
        return 0, num_layers
    if name.startswith('backbone.stages'):
        parts = name.split('.')
        stage, block = int(parts[2]), parts[4]
        if block in ('reduction', 'norm'):
            return sum(depths[: stage + 1]), num_layers
        return sum(depths[:stage]) + int(block) + 1, num_layers
    return num_layers - 1, num_layers


def selfsup_mixmim_layer_depth(name: str, depths: Sequence[int]) -> LayerDepth:
    """MMSelfSup ``model_type='mixmim'``: embeddings get id -1 (scale ``rate ** num_layers``)."""
    num_layers = sum(depths) + 1
    if 'patch_embed' in name or 'pos_embed' in name:
        return -1, num_layers
    if name.startswith('backbone.layers'):
        parts = name.split('.')
        stage, block = int(parts[2]), parts[4]
        if block in ('downsample', 'reduction', 'norm'):
            return sum(depths[: stage + 1]) - 1, num_layers
        return sum(depths[:stage]) + int(block), num_layers
    return num_layers - 2, num_layers


def _index_after(parts: list[str], word: str) -> int | None:
    """Position of ``word`` in ``parts`` when followed by an integer, else ``None``."""
    for i in range(len(parts) - 1):
        if parts[i] == word and parts[i + 1].isdigit():
            return i
    return None


def _depths(found: dict[int, int]) -> list[int]:
    return [found.get(stage, -1) + 1 for stage in range(max(found) + 1)]


def _inferred_depth(
    prefix: str, num_layers: int, block_depth: Callable[[str], int | None]
) -> Callable[[str], LayerDepth]:
    """The layer-id function of an inferred layout: names outside ``prefix`` go to the last
    layer, embeddings and input tokens to layer 0, and ``block_depth(name without prefix)``
    places the blocks (``None``: the last layer)."""

    def depth(name: str) -> LayerDepth:
        if not name.startswith(prefix):
            return num_layers - 1, num_layers
        rest = name[len(prefix) :]
        if rest in INPUT_TOKENS or rest.startswith('patch_embed'):
            return 0, num_layers
        layer = block_depth(rest)
        return (num_layers - 1 if layer is None else layer), num_layers

    return depth


def infer_layer_depth(names: Iterable[str]) -> tuple[Callable[[str], LayerDepth], str]:
    """A layer-depth function for a model without ``get_layer_depth``, and what it found.

    Recognised structures, in this order: Swin-like ``<prefix>stages.S.blocks.B``, ConvNeXt-like
    ``<prefix>stages.S.B`` with ``<prefix>downsample_layers.S``, and ViT-like
    ``<prefix>layers.N`` or ``<prefix>blocks.N``. Input tokens (``cls_token``, ``pos_embed``,
    ``mask_token``, ``dist_token``, ``absolute_pos_embed``) and ``patch_embed`` under the prefix
    get id 0, everything else outside the blocks the last id.
    """
    names = list(names)
    stages: dict[str, dict[int, int]] = {}
    convnext: dict[str, dict[int, int]] = {}
    blocks: dict[tuple[str, str], int] = {}
    for name in names:
        parts = name.split('.')
        i = _index_after(parts, 'stages')
        if i is not None and i + 3 < len(parts):
            prefix = '.'.join(parts[:i]) + '.' if i else ''
            stage = int(parts[i + 1])
            if parts[i + 2] == 'blocks' and parts[i + 3].isdigit():
                found = stages.setdefault(prefix, {})
                found[stage] = max(found.get(stage, -1), int(parts[i + 3]))
                continue
            if parts[i + 2].isdigit():
                found = convnext.setdefault(prefix, {})
                found[stage] = max(found.get(stage, -1), int(parts[i + 2]))
                continue
        for word in ('layers', 'blocks'):
            i = _index_after(parts, word)
            if i is not None:
                key = ('.'.join(parts[:i]) + '.' if i else '', word)
                blocks[key] = max(blocks.get(key, -1), int(parts[i + 1]))
                break
    if stages:
        prefix, found = next(iter(stages.items()))
        depths = _depths(found)

        num_layers = sum(depths) + 2

        def swin_block(rest: str) -> int | None:
            parts = rest.split('.')
            if len(parts) > 3 and parts[0] == 'stages' and parts[1].isdigit():
                stage = int(parts[1])
                if parts[2] == 'blocks' and parts[3].isdigit():
                    return sum(depths[:stage]) + int(parts[3]) + 1
                if parts[2] == 'downsample':
                    return sum(depths[: stage + 1])
            return None

        swin_like = _inferred_depth(prefix, num_layers, swin_block)
        return swin_like, f"Swin-like blocks '{prefix}stages.S.blocks.B', depths {depths}"
    if convnext and any(f'{p}downsample_layers.' in n for p in convnext for n in names):
        prefix, found = next(iter(convnext.items()))
        depths = _depths(found)
        if len(depths) < 2:
            depths = [*depths, 0]

        def convnext_like(name: str) -> LayerDepth:
            return convnext_layer_depth(name, depths, prefix)

        return convnext_like, f"ConvNeXt-like stages '{prefix}stages.S.B', depths {depths}"
    if blocks:
        (prefix, word), last = next(iter(blocks.items()))
        num_blocks = last + 1
        num_layers = num_blocks + 2

        def vit_block(rest: str) -> int | None:
            if rest.startswith(word + '.'):
                index = rest.split('.')[1]
                if index.isdigit():
                    return int(index) + 1
            return None

        vit_like = _inferred_depth(prefix, num_layers, vit_block)
        return vit_like, f"ViT-like blocks '{prefix}{word}.N', {num_blocks} blocks"
    raise ConfigError(
        'layer-wise lr decay needs layer ids: the model has no get_layer_depth(name) method and '
        "its parameter names show no blocks ('layers.N', 'blocks.N', 'stages.S.blocks.B' or "
        "ConvNeXt's 'stages.S.B'); add get_layer_depth to the model or set "
        "optimizer.model_type ('vit', 'swin', 'mixmim', 'convnext')"
    )
