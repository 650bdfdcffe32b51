"""Optimizers and optimizer wrappers."""

__all__: list[str] = []
