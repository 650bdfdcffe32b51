"""Parameter schedulers."""

__all__: list[str] = []
