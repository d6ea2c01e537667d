"""Lines -> hits: prefilter, regexes, what an error is, secrets masked.

The modules of logwatch.match, top layer first. They import only from the packages
below: rulebook, follow, core (pyproject.toml's import-linter contracts check it)::

    stream          one file's bytes -> hits
    engine          the matcher: prefilter, then the three steps of a match
    mergepolicy     step 3: a hand-written rule beats the catalogue; one per line
    recognizerstep  the recognizer's hit for a record nothing else explains
    shapestep       step 2: the catalogue's shapes, in their own index space
    rulestep        step 1: the hand-written rules, in their own index space
    gates           words every match of a pattern holds: searches skipped without
    linememo        what a line gave, remembered by its bytes (no decode, no parse)
    memo            a statement's hits, remembered for its lines that differ in digits
    prefilter       keywords -> what they ask for, in one pass over the bytes
    catchall        level marks; a record of a level nothing explains
    attribution     whose a line is: the exchange it names or prints like
    seen            one record as the steps share it; secrets masked
    recognizer      envelope, attribution, classification of an error; its keywords
    classifier      what an envelope's error is: code, text, class, words, status
    exchangenames   which exchanges a text names; the one nearest a statement
    categorywords   the words logs use for each category of error
    statements      how logs state an error: envelopes around a code
    ownedprints     prints only one exchange's API or library makes
    unlisted        exchanges outside the catalogue, named by a print's form
    redact          secrets masked before text leaves the engine
"""
