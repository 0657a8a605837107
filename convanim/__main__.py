"""``python -m convanim``."""

from .cli import main

main()
