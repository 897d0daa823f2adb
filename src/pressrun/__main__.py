"""Allow ``python -m pressrun``."""

from pressrun.cli import main

main()
