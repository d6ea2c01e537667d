"""Hits -> alerts (first at once, repeats in a digest), in words.

The modules of logwatch.alerts, top layer first. They import only from the packages
below: match, rulebook, follow, core (pyproject.toml's import-linter contracts check
it)::

    alerting    hits -> alerts -> values for State
    codec       the values State keeps as JSON (alerts, windows)
    dedup       hits -> alerts (first at once, repeats in a digest)
    expect      missing-heartbeat rules
    notices     what logwatch says about itself, in both languages
    outbox      the outbox's rows, retry backoff, pacing
    pipeline    every stage from a hit to a message, listed and built
    quiethours  the local hours when only critical alerts go out at once
    render      alert -> title and body, in the trader's language
    threshold   rules that alert only in bursts (``at_least``)
    window      one dedup window per fingerprint: what it keeps of its hits
"""
