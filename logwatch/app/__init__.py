"""What runs: the command, the daemon and its loop, setup, the phone.

The modules of logwatch.app, top layer first. They import only from the packages below:
deliver, store, alerts, match, rulebook, follow, core (pyproject.toml's import-linter
contracts check it)::

    cli            the command: its group and main; with the cli_* modules, the
                   only modules that print or exit
    cli_setup      `init` and `test-notify`
    cli_scan       `scan`: the rules over files, once or with --follow
    cli_check      `check`, `rules` and `schema`
    cli_service    `run`, `status`, `reload`, `stop` and `service`
    cli_options    what the commands share: --config, --rules, --lang, the rules
    daemon         `run`: lock, State, start, the loop, reload, close
    wizard         `init`: the guided setup
    service        `service`: the launcher found, the plans to install or remove it
    wizard_telegram  how `init` sets up Telegram: the token, the chat
    health         how logwatch itself is doing (self-alerts, its problem)
    daemon_text    what `run` says: its start-up announcement, its status line
    wizard_config  what `init` writes: answers -> config and secrets files
    scanfiles      what `scan` reads: its arguments' files, folders in depth
    wizard_ui      how `init` asks: prompts, or the flags with --yes
    servicetask    the Windows logon task: its XML and schtasks
    serviceunit    the systemd units: their command lines, place and systemctl
    wiring         the Workers one Setup runs: follower, outbox, pinger, phone
    servicefiles   the shipped service definitions, and what a value in one may hold
    senders        one thread per channel and per bot polled, across reloads
    configured     what one config makes: the validated Setup
    follower       tailer -> stream -> engine -> alerting, saved in state
    remote         the phone: Telegram commands and reminders
    followed       what the follower keeps: its settings, one record per file
    follower_events  what the follower tells (typed events), and who listens
    freshness      which hits are young enough to alert (max_age, backfill)
    logs           the daemon's own log (structlog to stderr)
    heartbeat      the dead-man's switch's pings
    metrics        Prometheus metrics of logwatch itself
    lock           one daemon per state
    control        stop and reload requests (signals, console events)
    places         where the platforms keep their logs on this PC
    saveschedule   when the follower saves what it read; a failed save's backoff
    supervisor     telling systemd how the service is (READY, STATUS, WATCHDOG)
    commands       the phone's commands: parsing and answers
    report         what the commands print: hits, rules; --json
    statustext     what `status` prints, for a person and as --json
    wizard_text    what `init` says, in Russian and English
"""
