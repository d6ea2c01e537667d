"""Alerts to the channels, each until it gets through.

The modules of logwatch.deliver, top layer first. They import only from the packages
below: store, alerts, match, rulebook, follow, core (pyproject.toml's import-linter
contracts check it)::

    delivery      the outbox, channel by channel, until it gets through
    notifier      Apprise: one service per channel
    attempts      each send's outcome recorded in State, or held while it cannot be
    apprisefile   an Apprise config file read as channels
    plugins       Apprise's plugins, only those a config uses, and logwatch's own
    desktop       the console:// and desktop:// channels, shown on this machine
    alertmanager  the alertmanager:// channel (Alertmanager's v2 API)
    telegram      Telegram's Bot API, beyond what Apprise sends
"""
