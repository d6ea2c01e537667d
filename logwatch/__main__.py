"""``python -m logwatch`` runs the command line."""

from __future__ import annotations

from logwatch.app.cli import main

main()
