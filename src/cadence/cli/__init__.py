"""The ``cadence`` command line (see :mod:`cadence.cli.main`)."""
