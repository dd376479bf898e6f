"""Allow ``python -m ibtpost``."""

from ibtpost.cli import main

raise SystemExit(main())
