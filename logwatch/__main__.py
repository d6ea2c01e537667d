"""``python -m logwatch`` runs the command line."""

from __future__ import annotations

from logwatch.cli import main

main()
