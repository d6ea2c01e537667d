"""Lines -> hits: prefilter, regexes, what an error is, secrets masked.

The modules of logwatch.match, top layer first. They import only from the packages
below: rulebook, follow, core (pyproject.toml's import-linter contracts check it)::

    engine      the matcher: prefilter, then regexes
    recognizer  envelope, attribution, classification of an error
    redact      secrets masked before text leaves the engine
    statements  how logs state an error: envelopes, category words
    stream      one file's bytes -> hits
    unlisted    exchanges outside the catalogue, named by a print's form
"""
