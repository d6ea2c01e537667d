"""logwatch: follows trading-platform logs and alerts once, with a remedy, on errors.

The public surface is the ``logwatch`` command and the config and rule formats.
"""
