"""Start a program as Task Scheduler starts logwatchw.exe: detached, with no console and
no standard handles (pythonw's sys.stdout/stderr/stdin are None). Prints its pid."""

from __future__ import annotations

import subprocess
import sys

DETACHED_PROCESS = 0x00000008
child = subprocess.Popen(  # noqa: S603  the CI's own command line
    sys.argv[1:],
    creationflags=DETACHED_PROCESS | subprocess.CREATE_NEW_PROCESS_GROUP,
    close_fds=True,
)
print(child.pid)
