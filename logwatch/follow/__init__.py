"""The files: which match, which is which, their new bytes as lines.

The modules of logwatch.follow, top layer first. They import only from the packages
below: core (pyproject.toml's import-linter contracts check it)::

    tailer     files of glob patterns through rotation and restarts
    watching   events on the patterns' directories wake the loop
    reading    the open files: polls, reads, cut files, open-file limit
    drives     network or fixed drive (Win32 behind one function)
    listing    the files glob patterns match now (a directory snapshot)
    fileindex  which file is which: content identity, inodes, markers
    lines      bytes -> lines: encodings, splits, offsets
"""
