"""Text for a terminal: what a log line holds is shown, never obeyed.

A log line may carry escape sequences (a window title, a screen clear, a clipboard
write through OSC 52) or bidi overrides that reorder what is shown. Printed as they
are, the terminal acts on them; ``shown`` writes each as a visible ``\\u001b``.
"""

from __future__ import annotations

import re

#: C0 and C1 controls, DEL, the line and paragraph separators and the bidi marks,
#: embeddings, overrides and isolates (U+061C, U+200E-F, U+202A-E, U+2066-9)
_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]"
)
#: the same without the tab and the line feed: what the default ``keep`` escapes (a
#: report's text is many lines; searched with _CONTROL it always "needs" a rewrite)
_CONTROL_BUT_LINES = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]"
)


def shown(text: str, keep: str = "\t\n") -> str:
    """``text`` with every control character but those in ``keep`` written as a
    ``\\uXXXX`` escape: the same form JSON uses, so a JSON text stays JSON with the
    same values, and a person sees ``\\u001b]0;title\\u0007`` instead of a new title.
    """
    needs = _CONTROL_BUT_LINES if keep == "\t\n" else _CONTROL
    if needs.search(text) is None:  # nearly every text: no copy
        return text
    return _CONTROL.sub(
        lambda m: m[0] if m[0] in keep else f"\\u{ord(m[0]):04x}",
        text,
    )
