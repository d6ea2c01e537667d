"""logwatch: follows trading-platform logs and alerts once, with a remedy, on errors.

The public surface is the ``logwatch`` command and the config and rule formats.

The packages, top layer first. A package imports only from packages below its
own, and packages joined by ``|`` never import each other (pyproject.toml's
import-linter contracts check both, and the layers within each package, whose
docstring lists its modules)::

      app       what runs: the command, the daemon and its loop, setup, the phone

      deliver   alerts to the channels, each until it gets through

      store     the one SQLite file: positions, outbox, dedup windows, mutes

      alerts    hits -> alerts (first at once, repeats in a digest), in words

      match     lines -> hits: prefilter, regexes, what an error is, secrets masked

      rulebook  what a line is checked against: rule files, the error catalogue
    | follow    the files: which match, which is which, their new bytes as lines

      core      what every layer shares: hop types, errors, clock, YAML, the config

The way of a line::

    follow.tailer -> follow.lines -> match.stream -> match.engine -> alerts.alerting ->
    store.state -> deliver.delivery -> deliver.notifier
"""
