"""Translations and Peruvian number/date formats. Spanish first, English by switch.

Messages live in `cybertrends/locale/*.json`, one file per area, each mapping a key to
`{"es": ..., "en": ...}`. A key may appear in one file only.
"""

from __future__ import annotations

import json
import math
from datetime import date
from functools import cache, lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal

LANGS = ("es", "en")
DEFAULT_LANG = "es"
LOCALES = {"es": "es_PE", "en": "en_GB"}
LOCALE_DIR = Path(__file__).parent / "locale"


@cache
def catalog() -> dict[str, dict[str, str]]:
    """Every message key mapped to its texts by language, merged from the locale files once; ValueError on
    a key defined twice or lacking a language."""
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(LOCALE_DIR.glob("*.json")):
        for key, texts in json.loads(path.read_text(encoding="utf-8")).items():
            if key in merged:
                raise ValueError(f"message key {key!r} defined twice (second time in {path.name})")
            missing = [lang for lang in LANGS if lang not in texts]
            if missing:
                raise ValueError(f"message key {key!r} in {path.name} lacks {missing}")
            merged[key] = texts
    return merged


def lang_or_default(lang: str | None) -> str:
    """`lang` if it is a supported language, else Spanish."""
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str, **values) -> str:
    """The message `key` in `lang`, with `{name}` placeholders filled from `values`."""
    try:
        text = catalog()[key][lang_or_default(lang)]
    except KeyError:
        raise KeyError(f"no message {key!r}; add it to a file in {LOCALE_DIR}") from None
    return text.format(**values) if values else text


def plotly_separators(lang: str) -> str:
    """Plotly's `layout.separators` for `lang`: decimal mark then thousands separator, from
    Babel (es-PE and en both write 47,369.5), so axes read like the rest of the page."""
    from babel.numbers import get_decimal_symbol, get_group_symbol

    locale = LOCALES[lang_or_default(lang)]
    return get_decimal_symbol(locale) + get_group_symbol(locale)


@cache
def _locale(name: str) -> Locale:
    """Babel's locale `name` ('es_PE'), parsed once (Babel parses a locale given by name on every call)."""
    return Locale.parse(name)


@lru_cache(maxsize=65_536)
def _decimal(value, pattern: str | None, locale: str) -> str:
    # Babel parses the pattern and walks the locale data on every call; a page formats the same
    # few hundred numbers on every rerun, so the results are kept (pure function of its arguments).
    return format_decimal(value, format=pattern, locale=_locale(locale))


@lru_cache(maxsize=4096)
def _date(value: date, pattern: str, lang: str) -> str:
    # A page names the same few dozen months hundreds of times (pure function of its arguments).
    return format_date(value, pattern, locale=_locale(LOCALES[lang_or_default(lang)]))


def fmt_int(value, lang: str) -> str:
    """`value` rounded to a whole number with thousands separators ('47,369'); '–' when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return _decimal(int(round(value)), None, LOCALES[lang_or_default(lang)])


def fmt_num(value, lang: str, digits: int = 1) -> str:
    """`value` with `digits` decimals and thousands separators ('1,234.5'); '–' when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return _decimal(value, pattern, LOCALES[lang_or_default(lang)])


def fmt_pct(value, lang: str, digits: int = 1, signed: bool = False) -> str:
    """`value` is a percentage already (38.5 means 38.5 %)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = fmt_num(abs(value) if signed else value, lang, digits) + " %"
    if signed:
        text = ("+" if value >= 0 else "−") + text
    return text


def fmt_date(value: date, lang: str) -> str:
    """A date as the reader writes it: '15/06/2025' in Spanish, '15 Jun 2025' in English."""
    return _date(value, "dd/MM/y" if lang_or_default(lang) == "es" else "d MMM y", lang)


def fmt_month(value: date, lang: str) -> str:
    """A month as its short name and year, without abbreviation dots: 'jun 2025'."""
    return _date(value, "MMM y", lang).replace(".", "")


def fmt_period(value: date, grain: str, lang: str) -> str:
    """A period by its first day: the year ('2025') for yearly data, the month ('jun 2025') for monthly."""
    return str(value.year) if grain == "year" else fmt_month(value, lang)


def fmt_cover_months(covered_from: date, covered_to: date, lang: str) -> str:
    """The months a part-period covers: 'ene–nov' (or '20 ene–15 jun' when it starts or ends
    mid-month)."""
    def month(d: date) -> str:
        return _date(d, "MMM", lang).replace(".", "")

    first = month(covered_from) if covered_from.day == 1 else f"{covered_from.day} {month(covered_from)}"
    nxt = date.fromordinal(covered_to.toordinal() + 1)
    last = month(covered_to) if nxt.day == 1 else f"{covered_to.day} {month(covered_to)}"
    return first if first == last else f"{first}–{last}"


def fmt_partial(start: date, covered_from: date, covered_to: date, grain: str, lang: str) -> str:
    """A period that its data cover only in part: '2025 (ene–nov)', 'jun 2025 (1–15 jun)'."""
    return f"{fmt_period(start, grain, lang)} ({fmt_cover_months(covered_from, covered_to, lang)})"


def fmt_span(start: date, end: date, grain: str, lang: str) -> str:
    """A readable span: '2023', '2019–2025', 'ene 2024–jun 2025'."""
    if grain == "year":
        return str(start.year) if start.year == end.year else f"{start.year}–{end.year}"
    if start.month == 1 and end.month == 12:
        return str(start.year) if start.year == end.year else f"{start.year}–{end.year}"
    if start == end:
        return fmt_month(start, lang)
    return f"{fmt_month(start, lang)}–{fmt_month(end, lang)}"
