"""The words traders' logs use for each category of error, in English and Russian:
the recognizer's last layer, for an error stated in words without a known code.

Apart from the recognizer so that their patterns compile only when a record first
needs them, not at every start. The patterns are the standard library's: each is
bounded (no repeat inside a repeat, every gap capped), and they compile three times
faster than ``regex``'s.
"""

from __future__ import annotations

import re

#: The word classifier: a category for what traders' logs say, in English and
#: Russian, most specific first (each pattern bounded: searched only on envelopes).
_WORDS: tuple[tuple[str, str], ...] = (
    ("nonce", r"\bnonce\b|\bнонс"),
    (
        "timestamp",
        r"recv[_ ]?window|timestamp (?:for this request|is outside|expired|invalid)"
        r"|invalid timestamp|request (?:has )?expired|clock (?:skew|drift)"
        r"|time(?:stamp)? (?:is )?out of sync|время запроса",
    ),
    (
        "signature",
        r"(?:invalid|bad|wrong|incorrect) (?:request )?sign(?:ature)?\b"
        r"|signature[^\n]{0,30}?(?:invalid|mismatch|not valid|verification failed)"
        r"|\berror sign(?:ature)?\b|\bsign(?:ature)? error"
        r"|неверная подпись|подпись неверна",
    ),
    (
        "ip_whitelist",
        r"\bip\b[^\n]{0,30}(?:whitelist|white list|not allowed|not bound|restricted)"
        r"|unauthori[sz]ed ip|ip[- ]адрес[^\n]{0,20}(?:не разрешён|запрещ)",
    ),
    (
        "auth_permission",
        # a credential may be named as its request header: ``KC-API-PASSPHRASE``,
        # ``OK-ACCESS-KEY``, ``X-MBX-APIKEY``
        r"(?:invalid|wrong|incorrect|expired|unknown) "
        r"(?-i:(?:[A-Z][A-Za-z]{0,5}[- ]){0,2})"
        r"(?:api[- _]?|access[- _])?(?:key|secret|credentials|passphrase|token)"
        r"|api[- _]?key[^\n]{0,20}(?:invalid|expired"
        r"|not found|does not exist|required)|permission denied|no permission"
        r"|not authori[sz]ed|unauthori[sz]ed|authentication (?:failed|error)"
        r"|access denied|invalid login|login failed|неверный (?:api[- ]?)?ключ"
        r"|доступ запрещ|нет прав|ошибка авторизации",
    ),
    (
        "rate_limit",
        r"rate.?limit|too many (?:requests|new orders|orders)|request weight"
        r"|slow down|request limit|limit exceeded|throttl|превышен лимит"
        r"|слишком много (?:запросов|ордеров)",
    ),
    (
        "balance_margin",
        r"insufficient (?:\w{1,20} )?(?:balance|funds?|margin|equity|collateral)"
        r"|(?:balance|margin|funds) (?:is |are )?(?:insufficient|not enough)"
        r"|(?:not|no) enough (?:\w{1,20} )?(?:balance|funds|margin|money|equity"
        r"|available)"
        r"|\bno money\b|balance\b[^\n]{0,30}? (?:is )?(?:lower|less) than"
        r"|not enough \w{1,12} in (?:the |your )?(?:wallet|account|balance)"
        # an asset's ticker: "Insufficient USDT."
        r"|insufficient (?-i:[A-Z][A-Z0-9]{1,9})\b(?!\s*(?i:permission|privilege"
        r"|right|access|scope))"
        r"|недостаточно (?:средств|маржи|денег|баланса)|нет денег",
    ),
    (
        "min_notional",
        r"notional|order (?:value|amount|size|cost) (?:is )?(?:too small|too low"
        r"|below)|(?:below|less than) (?:the )?minim(?:um|al)"
        r"|min(?:imum|imal)? (?:order )?(?:amount|size|value|notional|volume|quantity"
        r"|qty)|минимальн\w{0,6} (?:сумм|объ)",
    ),
    (
        "order_filter",
        r"(?:invalid|wrong|incorrect|bad) (?:order )?(?:quantity|qty|price|lot|volume"
        r"|size|stops?|amount|precision)|lot size|tick size|price filter|step size"
        r"|precision|(?:price|quantity|qty|amount|size|volume) (?:is |(?:can'?t|cannot"
        r"|can not|must(?: not)?|should(?: not)?) be )?(?:less|lower"
        r"|greater|higher|more|smaller|bigger) than|m(?:in|ax)(?:imum)? price"
        r"|неверн\w{0,6} (?:объ[её]м|цен|стоп)",
    ),
    (
        "position",
        r"reduce[- _]?only|position (?:side|mode|idx|does not exist|not exist"
        r"|not found|is closed)|no (?:open )?position"
        r"|позици\w{0,6} не (?:найден|существ)",
    ),
    (
        "duplicate_order",
        r"duplicate (?:order|client ?order ?id|clordid|clientoid)"
        r"|(?:client )?order ?id (?:already )?(?:exists|is duplicated)"
        r"|повторн\w{0,6} (?:ордер|идентификатор)",
    ),
    (
        "order_not_found",
        r"order (?:does not exist|not found|not exists?|doesn't exist)"
        r"|unknown order|no such order|ордер не найден",
    ),
    (
        "market_closed",
        r"market (?:is )?closed|trad(?:e|ing) (?:is )?(?:halted|suspended|closed"
        r"|not allowed at this time)|session (?:is )?closed|outside (?:of )?trading "
        r"hours|рынок закрыт|торги (?:приостановлены|закрыты)",
    ),
    (
        "account_restricted",
        r"account (?:is |has been )?(?:frozen|disabled|suspended|restricted|locked"
        r"|banned|blocked)|restricted location|\bkyc\b|аккаунт (?:заблокирован"
        r"|заморожен)",
    ),
    (
        "maintenance",
        r"maintenance|service (?:is )?(?:temporarily )?(?:unavailable|not available)"
        r"|system (?:is )?"
        r"busy|exchange (?:is )?(?:not )?available|server (?:is )?busy|overloaded"
        r"|технические работы|на обслуживании",
    ),
    (
        "connection_lost",
        r"connection (?:lost|closed|reset|refused|timed? ?out|aborted|failed"
        r"|dropped)|connect(?:ion|ivity)\b[^\n]{0,40}? (?:has been|was|is) lost"
        r"|disconnected|lost connection|network (?:error|unreachable|is "
        r"unreachable)|timed out|timeout"
        r"|соединени\w{0,6} (?:потеряно|разорвано|закрыто)"
        r"|max retries exceeded|connection ?(?:pool|error|aborted)"
        r"|name resolution|(?:cannot|could not|failed to|unable to) connect"
        r"|нет связи|связь потеряна",
    ),
    (
        "not_supported",
        r"not supported|unsupported|does not support|doesn't support"
        r"|is not supporting|не поддерживается",
    ),
    (
        # a program's own error, in the words its runtime prints them: CPython's
        # built-in exceptions' messages and names, Node's unhandled rejection, .NET's
        # null reference; the bot or EA failed, not a request to an exchange
        "program_runtime",
        r"takes (?:from )?\d{1,3} (?:to \d{1,3} )?positional arguments? but \d{1,3}"
        r" (?:was|were) given|missing \d{1,3} required (?:positional |keyword-only )?"
        r"arguments?|got an unexpected keyword argument|object has no attribute"
        r"|object is not (?:iterable|subscriptable|callable)|(?:str|string|list|tuple)"
        r" indices must be integers|invalid literal for int\(\)|(?:list|string|tuple)"
        r" index out of range|division by zero|unhandled (?:error|exception)"
        r"|unhandledpromiserejection|fatal exception|out of memory"
        r"|\b(?:KeyError|TypeError|AttributeError|ValueError|IndexError|NameError"
        r"|ZeroDivisionError|RuntimeError|RecursionError|UnboundLocalError"
        r"|NotImplementedError|NullReferenceException|IndexOutOfRangeException)\b"
        r"|необработанное исключение",
    ),
    (
        "request_params",
        r"(?:invalid|missing|bad|illegal|wrong) (?:parameter|argument|symbol"
        r"|request|param)|parameter[^\n]{0,30}(?:invalid|required|missing)"
        r"|bad request|неверн\w{0,6} параметр",
    ),
    (
        "order_rejected",
        r"order[^\n]{0,40}rejected|rejected[^\n]{0,20}order|order (?:was )?refused"
        r"|(?:failed to|error|unable to|could not|cannot) (?:submit|submitting|place"
        r"|placing|create|creating|send|sending|cancel|cancell?ing|amend|amending|modify"
        r"|modifying|replace|replacing)\b[^\n]{0,30}\border"
        # ccxt's createOrder() that has failed, Hummingbot's order that has failed
        # or its executor's "Open order failed."
        # (an action's order that failed, said without a reason: "Open order
        # failed."; a bare "order failed" waits for what follows to say why)
        r"|\border\b[^\n]{0,60}? has failed\b"
        r"|\b(?:open|place|submit|create|cancel|close|amend|modify)\w{0,3} order "
        r"failed\b(?!\s{0,2}:)"
        r"|ордер отклон|заявка отклон",
    ),
)
#: one pattern per category, tried in order: the most specific category wins
_CLASSIFIER = tuple((name, re.compile(pattern, re.I)) for name, pattern in _WORDS)


#: Identifiers' words: ``INSUFFICIENT_FUND``, ``ServiceUnavailable``, ``PRICE_FILTER``
#: are words to the classifier too (exchanges' and libraries' error names are written
#: so: Binance's filter names, Coinbase's failure reasons, .NET's and ccxt's class
#: names). A CamelCase word anywhere; an UPPER_SNAKE one where it is the value
#: stated (the whole text, or after ``:``, ``=`` or a quote), not a name mentioned
#: in a sentence ("see the docs for LOT_SIZE")
_CAMEL_JOINS = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SNAKE_VALUE = re.compile(
    r"(?:^|(?<=[:=\"'])) {0,2}[A-Za-z][A-Za-z0-9]{0,30}(?:_[A-Za-z0-9]{1,30}){1,15}"
)


def _identifier_words(text: str) -> str:
    spaced = _SNAKE_VALUE.sub(lambda m: m.group().replace("_", " "), text)
    return _CAMEL_JOINS.sub(" ", spaced)


def classify_words(text: str) -> tuple[str, str] | None:
    """The category of an error's words and the words that said it, if any; the
    words of identifiers in it count (``LOT_SIZE`` says "lot size")."""
    spaced = _identifier_words(text)
    texts = (text, spaced) if spaced != text else (text,)
    for name, pattern in _CLASSIFIER:
        for one in texts:
            m = pattern.search(one)
            if m is not None:
                return name, m.group()
    return None
