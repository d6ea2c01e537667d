"""The files: which match, which is which, their new bytes as lines.

The modules of logwatch.follow, top layer first. They import only from the packages
below: core (pyproject.toml's import-linter contracts check it)::

    tailer     files of glob patterns through rotation and restarts
    watching   events on the patterns' directories wake the loop
    reading    the open files: polls, reads, cut files, open-file limit
    newfiles   which file a listed one is: its own, new, a copy, a cut original
    held       files opened before a listing saw them, until the next one
    events     what the tailer reports: opened, read, moved, drained
    lastlisting  the listing last looked at whole: by path, in backstop slices
    drives     network or fixed drive (Win32 behind one function)
    listing    the files glob patterns match now (a directory snapshot)
    handles    the open files by entry, opened so their writer can still rename
               and delete them
    readpace   how much a step reads: per file, per step, at the matching's pace
    inotify    Linux: one thread reads inotify and calls the watcher's handler
    fileindex  which file is which: content identity, inodes, markers
    lines      bytes -> lines: splits, a cap, code pages, offsets
    positions  the line at an offset; the start after the last whole line
    blocks     complete lines as UTF-8 bytes and where they are
    encoding   which encoding a file is in: BOM, UTF-16 pattern, code page
"""
