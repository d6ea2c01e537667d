"""What the commands print: hits and their summary and the rule list, for people and
as JSON (a contract: scripts read ``--json``). Values in, text out; the
cli_* modules print it. What a log or a state holds is ``shown``: no escape sequence
of a line reaches the terminal.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from json.encoder import encode_basestring
from typing import TYPE_CHECKING

from logwatch.core.logtime import parse_timestamp
from logwatch.core.terminal import shown

if TYPE_CHECKING:
    from logwatch.core.model import Hit, Recognition, Record
    from logwatch.match.engine import Scan
    from logwatch.rulebook.rules import Rule, RuleSet

#: ``json.dumps(…, ensure_ascii=False)`` makes an encoder per call (~4 us a hit)
_JSON_LINE = json.JSONEncoder(ensure_ascii=False)
#: How many encoded recognitions (and titles) a report keeps.
_RECOGNITIONS_KEPT = 4096


def _string(text: str) -> str:
    """A string as ``_JSON_LINE`` writes it (quoted, escaped, non-ASCII kept), then
    ``shown``: the encoder escapes every C0 control, so an ASCII string without DEL
    has nothing left to show otherwise (``shown`` works character by character: a
    line of strings each shown is the line shown)."""
    encoded: str = encode_basestring(text)
    if encoded.isascii() and "\x7f" not in encoded:
        return encoded
    return shown(encoded)


def _encoded(value: object) -> str:
    """Any other value as ``_JSON_LINE`` writes it, shown."""
    return shown(_JSON_LINE.encode(value))


def _scalar(value: object) -> str:
    """A string, an int or None as ``_JSON_LINE`` writes it (anything else by it)."""
    if value.__class__ is str:
        return _string(value)
    if value.__class__ is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    return _encoded(value)


def _array(values: Iterable[object]) -> str:
    """A tuple as ``_JSON_LINE`` writes a list."""
    return "[" + ", ".join([_scalar(v) for v in values]) + "]"


def _object(values: Mapping[str, object]) -> str:
    """A mapping of strings as ``_JSON_LINE`` writes a dict."""
    if not values:
        return "{}"
    if any(k.__class__ is not str for k in values):
        return _encoded(dict(values))
    return (
        "{"
        + ", ".join([f"{_string(k)}: {_scalar(v)}" for k, v in values.items()])
        + "}"
    )


class _RulesAsked(dict[str, "Rule"]):
    """A rule set's rules by id, each read from the set when first asked for (the
    set's packed catalogue rules are not all unpacked at each start). Read it with
    ``[]`` only: ``get``, ``in``, ``len`` and a loop see only the rules asked for so far
    (a dict, not a wrapper: ``[]`` on a rule already asked for stays a C lookup)."""

    def __init__(self, rules: RuleSet) -> None:
        super().__init__()
        self._rules = rules

    def __missing__(self, rule_id: str) -> Rule:
        rule = self._rules.rule(rule_id)
        if rule is None:
            raise KeyError(rule_id)
        self[rule_id] = rule
        return rule


class Report:
    """Hits as they come, for people or as JSON Lines, and a summary at the end."""

    def __init__(self, lang: str, as_json: bool, rules: RuleSet) -> None:
        self.lang, self.as_json = lang, as_json
        #: the rules of the hits, by id, as hits ask (the catalogue's stay packed)
        self.rules: dict[str, Rule] = _RulesAsked(rules)
        self.per_rule: Counter[str] = Counter()
        self.matched = 0
        self.lines = 0
        self.misses: list[Record] = []
        self.disabled_seen: set[str] = set()
        #: recognitions repeat (one rule, one exchange): each encoded once
        self._recognitions: dict[Recognition, str] = {}
        self._rules_json: dict[str, tuple[str, str]] = {}
        self._titles_json: dict[str, str] = {}
        #: a kind of hit (see ``json``) -> the JSON between its varying parts
        self._kinds: dict[tuple[object, ...], tuple[str, str, str, str]] = {}
        #: the path the last hit came from, and it as a JSON string
        self._path_json: tuple[str, str] | None = None

    def add(self, scan: Scan) -> str:
        """The hits of one scan, counted (a heartbeat rule's are signs of life, not
        errors: they are not shown)."""
        records = set()
        out = []
        rules, per_rule = self.rules, self.per_rule
        written = self.json if self.as_json else self.text
        for hit in scan.hits:
            rule_id = hit.rule_id
            if rules[rule_id].expect_s is not None:
                continue
            per_rule[rule_id] += 1
            record = hit.record
            records.add((record.path, record.offset))
            out.append(written(hit))
        self.matched += len(records)
        self.misses.extend(scan.misses)
        # a JSON line's strings were shown as they were encoded
        return "".join(out) if self.as_json else shown("".join(out))

    def json(self, hit: Hit) -> str:
        """One hit as a JSON line: the bytes ``json.dumps(…, ensure_ascii=False)``
        writes for the object, made without it: what changes from hit to hit (the
        path, line, text, time and offset) is encoded each time, the rest once per
        kind of hit (its rule, codes, captures, exchange, fields, key, recognition)."""
        record = hit.record
        fields = record.fields
        kind = (
            hit.rule_id,
            hit.codes,
            hit.severity,
            tuple(hit.captures.items()) if hit.captures else (),
            hit.message,
            hit.exchange,
            fields.get("platform"),
            fields.get("code"),
            fields.get("connection"),
            fields.get("symbol"),
            record.format,
            hit.key,
            hit.recognition,
        )
        parts = self._kinds.get(kind)
        if parts is None:
            if len(self._kinds) >= _RECOGNITIONS_KEPT:
                self._kinds.clear()
            parts = self._kinds[kind] = self._kind_json(hit)
        after_line, after_text, after_time, after_offset = parts
        when = parse_timestamp(record)
        path = self._path_json
        if path is None or path[0] != record.path:
            path = self._path_json = (record.path, _string(record.path))
        return "".join(
            (
                '{"path": ',
                path[1],
                ', "line": ',
                int.__repr__(hit.line),
                after_line,
                _string(record.raw),
                after_text,
                _string(when.isoformat()) if when else "null",
                after_time,
                int.__repr__(record.offset),
                after_offset,
            )
        )

    def _kind_json(self, hit: Hit) -> tuple[str, str, str, str]:
        """What a hit's JSON line holds between its line and text, text and time,
        time and offset, and after its offset: the same for every hit of its kind."""
        record = hit.record
        fields = record.fields
        rule_id, remedy = self._rule_json(hit.rule_id)
        code = hit.captures.get("code") or fields.get("code", "")
        exchange = hit.exchange or fields.get("platform") or None
        r = hit.recognition
        recognition = "null" if r is None else self._recognition(r, hit)
        return (
            "".join(
                (
                    ', "rule": ',
                    rule_id,
                    ', "codes": ',
                    _array(hit.codes),
                    ', "severity": ',
                    _string(str(hit.severity)),
                    ', "captures": ',
                    _object(hit.captures),
                    ', "text": ',
                )
            ),
            "".join(
                (
                    ', "title": ',
                    self._title_json(self.title(hit)),
                    ', "remedy": ',
                    remedy,
                    ', "exchange": ',
                    _scalar(exchange),
                    ', "time": ',
                )
            ),
            ', "format": ' + _string(record.format) + ', "offset": ',
            "".join(
                (
                    ', "code": ',
                    int.__repr__(int(code)) if code.lstrip("-").isdigit() else "null",
                    ', "connection": ',
                    _scalar(fields.get("connection")),
                    ', "symbol": ',
                    _scalar(fields.get("symbol")),
                    ', "key": ',
                    _array(hit.key),
                    ', "recognition": ',
                    recognition,
                    "}\n",
                )
            ),
        )

    def _recognition(self, r: Recognition, hit: Hit) -> str:
        """A hit's recognition ``r`` as JSON: they repeat, each is encoded once."""
        encoded = self._recognitions.get(r)
        if encoded is None:
            if len(self._recognitions) >= _RECOGNITIONS_KEPT:
                self._recognitions.clear()
            encoded = _encoded(recognition_json(hit))
            self._recognitions[r] = encoded
        return encoded

    def _rule_json(self, rule_id: str) -> tuple[str, str]:
        """A rule's id and remedy as JSON strings, encoded once a report."""
        got = self._rules_json.get(rule_id)
        if got is None:
            rule = self.rules[rule_id]
            got = self._rules_json[rule_id] = (
                _string(rule_id),
                _string(rule.remedy[self.lang]),
            )
        return got

    def _title_json(self, title: str) -> str:
        """A title as a JSON string (the rules' titles repeat: each encoded once;
        an exchange's own message is encoded each time)."""
        got = self._titles_json.get(title)
        if got is None:
            got = _string(title)
            if len(self._titles_json) < _RECOGNITIONS_KEPT:
                self._titles_json[title] = got
        return got

    def title(self, hit: Hit) -> str:
        """The hit's title: its rule's, or the exchange's own message for a code the
        catalogue does not know."""
        rule = self.rules[hit.rule_id]
        if rule.message_title and hit.message:
            return hit.message
        return rule.title[self.lang]

    def text(self, hit: Hit) -> str:
        """One hit for a person."""
        line = _one_line(hit.record.raw)
        if len(line) > 300:
            line = line[:300] + "…"
        return (
            f"{hit.record.path}:{hit.line}: {hit.severity.upper()} {hit.rule_id}: "
            f"{self.title(hit)}\n    {line}\n"
        )

    def summary(self, seconds: float, show_misses: bool) -> str:
        """The closing report: hits per rule, line counts and speed."""
        out = []
        if show_misses:
            out.append(
                f"\nNear misses (a keyword, but no rule matched): {len(self.misses)}"
            )
            for rec in self.misses:
                out.append(f"  {rec.path}:{rec.first_line}: {_one_line(rec.raw[:300])}")
        out.append("\nHits per rule:" if self.per_rule else "\nNo rule matched.")
        for rule_id, count in sorted(
            self.per_rule.items(), key=lambda kv: (-kv[1], kv[0])
        ):
            rule = self.rules[rule_id]
            codes = ",".join(str(c) for c in rule.codes) or "-"
            out.append(
                f"  {count:>8}  {rule.severity:<8}  {rule_id:<36} {codes:<12} "
                f"{rule.title[self.lang]}"
            )
        rate = self.lines / seconds if seconds > 0 else 0.0
        out.append(
            f"\nLines: {self.lines}, matched {self.matched}, "
            f"missed {self.lines - self.matched}"
        )
        out.append(f"[processed in {seconds:.2f} s ({rate:,.0f} lines/s)]")
        return shown("\n".join(out) + "\n")


def _one_line(raw: str) -> str:
    """A record's lines on one line (a traceback's too)."""
    return raw.replace("\n", " ⏎ ")


def rules_json(rules: Iterable[Rule], lang: str) -> str:
    """``rules --json``: one array, a rule or catalogue code an object."""
    items = [
        {
            "id": r.id,
            "severity": str(r.severity),
            "codes": list(r.codes),
            "title": r.title[lang],
            "remedy": r.remedy[lang],
            "tags": list(r.tags),
            "exchange": r.exchange or None,
            "category": r.category or None,
            "link": r.link,
            "source": f"{r.source}:{r.line}",
        }
        for r in rules
    ]
    return json.dumps(items, ensure_ascii=False, indent=2)


def rules_table(rules: Iterable[Rule], lang: str) -> list[str]:
    """``rules``: a line a rule or code (id, severity, codes, title)."""
    out = []
    for r in rules:
        codes = ",".join(str(c) for c in r.codes) or "-"
        out.append(f"{r.id:<40} {r.severity:<8} {codes:<14} {r.title[lang]}")
    return out


def recognition_json(hit: Hit) -> dict[str, object] | None:
    """Each layer's decision and evidence, so a wrong alert can be explained."""
    r = hit.recognition
    if r is None:
        return None
    return {
        "envelope": {"kind": r.envelope, "evidence": r.envelope_evidence},
        "attribution": {
            "exchange": r.exchange or None,
            "by": r.attribution,
            "evidence": r.attribution_evidence,
        },
        "classification": {
            "by": r.classification,
            "evidence": r.classification_evidence,
            "category": r.category or None,
        },
    }
