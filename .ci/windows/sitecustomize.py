"""Wine 8.0 has no kernel32!CopyFile2; Python 3.12's shutil.copy2 calls it when _winapi
has it (the process aborts into the debugger and hangs). Without it shutil falls back to
its portable copy. Installed in the Wine prefix only; real Windows is untouched."""

from __future__ import annotations

import _winapi

if hasattr(_winapi, "CopyFile2"):
    del _winapi.CopyFile2
