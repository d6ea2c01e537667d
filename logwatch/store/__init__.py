"""The one SQLite file: positions, outbox, dedup windows, mutes.

The modules of logwatch.store, top layer first. They import only from the packages
below: alerts, match, rulebook, follow, core (pyproject.toml's import-linter contracts
check it)::

    state         the one SQLite file (positions, outbox, dedup windows)
    status        what `status` shows, read from the state file alone
    offsets       State's part: how far each file was read, patterns followed
    deliveries    State's part: the outbox's rows, each channel's last send
    dedupwindows  State's part: open dedup windows and the deduper's mutes
    phonestate    State's parts the phone sets: mutes, reminders, settings
    statefile     the state's SQLite file: opened, moved aside, one lock
    schema        the state file's tables, as migrations
    statusinfo    the value `status` shows, typed, for its renderers
"""
