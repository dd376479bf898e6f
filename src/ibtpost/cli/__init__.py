"""The command line: the only place that prints and chooses exit codes."""

from ibtpost.cli.main import main

__all__ = ["main"]
