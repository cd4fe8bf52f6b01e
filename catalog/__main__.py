"""Entry point of ``python -m catalog``."""

from catalog.cli import main

raise SystemExit(main())
