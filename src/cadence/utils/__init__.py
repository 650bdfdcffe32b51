"""Small tools that do not belong to one subsystem."""

from .host_sync import HostSyncCounter, SyncsPerIteration

__all__ = ['HostSyncCounter', 'SyncsPerIteration']
