"""logwatch: follows trading-platform logs and alerts once, with a remedy, on errors.

The public surface is the ``logwatch`` command and the config and rule formats.

The module map, top layer first. A module imports only from layers below its own, and
modules of one layer joined by ``|`` never import each other (pyproject.toml's
import-linter ``layers`` contract checks both, and that every module is listed)::

    cli        cli           the command: the only module that prints or exits

    daemon     daemon        `run`: lock, State, start, the loop, reload, close
             | wizard        `init`: the guided setup
             | service       `service`: the logon task or systemd unit

    health     health        how logwatch itself is doing (self-alerts, its problem)
             | wizard_config what `init` writes: answers -> config and secrets files
             | scanfiles     what `scan` reads: its arguments' files, folders in depth
             | wizard_ui     how `init` asks: prompts, or the flags with --yes

    wiring     wiring        what one config makes: Setup, and the Workers running it

    senders    senders       one thread per channel and per bot polled, across reloads

    compose    follow        tailer -> stream -> engine -> alerting, saved in state
             | delivery      the outbox, channel by channel, until it gets through
             | remote        the phone: Telegram commands and reminders

    edges      state         the one SQLite file (positions, outbox, dedup windows)
             | status        what `status` shows, read from the state file alone
             | tailer        files of glob patterns through rotation and restarts
             | notifier      Apprise: one service per channel
             | logs          the daemon's own log (structlog to stderr)
             | heartbeat     the dead-man's switch's pings
             | metrics       Prometheus metrics of logwatch itself
             | lock          one daemon per state
             | control       stop and reload requests (signals, console events)
             | places        where the platforms keep their logs on this PC

    watch      watching      events on the patterns' directories wake the loop
             | reading       the open files: polls, reads, cut files, open-file limit
             | offsets       State's part: how far each file was read, patterns followed
             | deliveries    State's part: the outbox's rows, each channel's last send
             | dedupwindows  State's part: open dedup windows and the deduper's mutes
             | phonestate    State's parts the phone sets: mutes, reminders, settings

    store      statefile     the state's SQLite file: opened, moved aside, one lock

    clients    alertmanager  the alertmanager:// channel (Alertmanager's v2 API)
             | telegram      Telegram's Bot API, beyond what Apprise sends
             | drives        network or fixed drive (Win32 behind one function)
             | listing       the files glob patterns match now (a directory snapshot)
             | schema        the state file's tables, as migrations

    core       (pure: no threads, SQLite, files followed or network)
               model         the hop types: Line -> Record -> Hit, FileState, Queued
               errors        the one tree of errors
               clock         the only place that reads the clock
               yamlfile      YAML that remembers file:line
               paths         where the config comes from: default file, LOGWATCH_*
               privatefiles  atomic 0600 writes, no links followed, private folders
               config        the config file, validated, with file:line errors
               rules         the compiled Rule and the RuleSet (the model alone)
               rulespec      the rule and catalogue files' schema (pydantic)
               rulecompile   rule YAML -> checked, compiled Rules
               ruleload      the rule folders' files -> one RuleSet with its catalogue
               rulecache     the signed cache of loaded RuleSets
               patterns      the literal keywords a regex demands
               catalogue     code -> category, severity, title, remedy
               cataloguefile the catalogue's YAML files and exception classes
               codesfile     the catalogue's codes files (*.codes.csv)
               catalogueassembly  the catalogue put together, and its rules
               formats       per-platform line formats
               logtime       a log line's own time: parsed and written in one place
               codepages     legacy code pages: `encoding:` names, the fallback
               lines         bytes -> lines: encodings, splits, offsets
               fileindex     which file is which: content identity, inodes, markers
               redact        secrets masked before text leaves the engine
               engine        the matcher: prefilter, then regexes
               recognizer    envelope, attribution, classification of an error
               statements    how logs state an error: envelopes, category words
               stream        one file's bytes -> hits
               dedup         hits -> alerts (first at once, repeats in a digest)
               expect        missing-heartbeat rules
               alerting      hits -> alerts -> values for State
               pipeline      every stage from a hit to a message, listed and built
               flood         N messages a minute per channel, the rest grouped
               codec         the values State keeps as JSON (alerts, windows)
               outbox        the outbox's rows, retry backoff, pacing
               render        alert -> title and body, in the trader's language
               notices       what logwatch says about itself, in both languages
               statusinfo    the value `status` shows, typed, for its renderers
               report        what the commands print: hits, rules, status; --json
               terminal      a log's text for a terminal: escapes shown, not obeyed
               commands      the phone's commands: parsing and answers
               wizard_text   what `init` says, in Russian and English
"""
