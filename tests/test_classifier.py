"""Classification on its own: an envelope's error by the exchange's code, the HTTP
status, the words, and a retry's warning left to the retry."""

from __future__ import annotations

from logwatch.core.model import Recognition
from logwatch.match.classifier import Classifier
from logwatch.match.statements import Envelope
from tests.samples import shipped_rules

CATALOGUE = shipped_rules().catalogue
CLASSIFIER = Classifier(CATALOGUE)
SEEN = Recognition("json")


def test_a_listed_code_is_its_tables_entry() -> None:
    entry = CATALOGUE.entries[("binance", -2019)]
    found = CLASSIFIER.classify(Envelope("json", 0, -2019, "", ""), "binance", SEEN)
    assert found is not None
    assert found.rule_id == entry.rule_id
    assert found.recognition.classification == "code"
    assert found.recognition.category == entry.category


def test_a_status_alone_says_the_category() -> None:
    env = Envelope("http", 0, None, "", "429", status=429)
    found = CLASSIFIER.classify(env, "", SEEN)
    assert found is not None
    assert found.recognition.classification == "http-status"
    assert found.recognition.category == "rate_limit"


def test_a_retried_condition_is_an_alert_only_when_not_retried() -> None:
    env = Envelope("failure", 0, None, "Too many requests", "failed")
    words = "Too many requests"
    retrying = "WARNING Too many requests, retrying in 5 s"
    assert CLASSIFIER.classify(env, "binance", SEEN, words, retrying) is None
    found = CLASSIFIER.classify(env, "binance", SEEN, words, words)
    assert found is not None
    assert found.rule_id == "binance.rate-limit"


def test_a_named_exchange_s_error_that_says_no_more_is_its_unknown_error() -> None:
    env = Envelope("error-level", 0, None, "something odd", "level")
    found = CLASSIFIER.classify(env, "binance", SEEN)
    assert found is not None
    assert found.rule_id == "binance.unknown-error"
    assert CLASSIFIER.classify(env, "", SEEN) is None
