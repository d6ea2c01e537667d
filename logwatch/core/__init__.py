"""What every layer shares: hop types, errors, clock, YAML, the config.

The modules of logwatch.core, top layer first. They import no other package of logwatch
(pyproject.toml's import-linter contracts check it)::

    channel        a channel as the config gives it: URL, severities, filters, kind
    clock          the only place that reads the clock
    codepages      legacy code pages: `encoding:` names, the fallback
    config         the config file, validated, with file:line errors
    configsecrets  the secrets a config holds, in every form, for masking
    durations      durations (30s, 10m) and times of day (23:00) as files write them
    errors         the one tree of errors
    flood          N messages a minute per channel, the rest grouped
    formats        per-platform line formats
    logtime        a log line's own time: parsed and written in one place
    model          the hop types: Line -> Record -> Hit, FileState, Queued
    paths          where the config comes from: default file, LOGWATCH_*
    privatefiles   atomic 0600 writes, no links followed, private folders
    terminal       a log's text for a terminal: escapes shown, not obeyed
    variables      ${VAR}, the env_file and LOGWATCH_* settings: a config's environment
    yamlfile       YAML that remembers file:line
"""
