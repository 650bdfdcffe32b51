"""``python -m cadence`` is the same program as the ``cadence`` console script."""

from cadence.cli.main import main

if __name__ == '__main__':
    raise SystemExit(main())
