"""Translations and number/date formats: one format per language (Babel), every message in both
languages, placeholders that match."""

from __future__ import annotations

import re
import string
from datetime import date

import pytest
from babel.numbers import format_decimal

from cybertrends import i18n


@pytest.mark.parametrize(("lang", "locale"), [("es", "es_PE"), ("en", "en_GB")])
def test_numbers_follow_babel(lang, locale):
    assert i18n.fmt_int(1_628_583, lang) == format_decimal(1_628_583, locale=locale)
    assert i18n.fmt_num(14.46, lang, 1) == format_decimal(14.5, format="#,##0.0", locale=locale)
    assert i18n.fmt_pct(-14.46, lang, signed=True) == "−" + format_decimal(14.5, format="#,##0.0", locale=locale) + " %"
    decimal, group = i18n.plotly_separators(lang)
    assert format_decimal(1234.5, locale=locale) == f"1{group}234{decimal}5"
    assert i18n.fmt_int(float("nan"), lang) == "–" and i18n.fmt_pct(None, lang) == "–"


@pytest.mark.parametrize(("start", "covered_from", "covered_to", "lang", "expected"), [
    (date(2025, 1, 1), date(2025, 1, 1), date(2025, 11, 30), "es", "2025 (ene–nov)"),
    (date(2025, 1, 1), date(2025, 1, 1), date(2025, 11, 30), "en", "2025 (Jan–Nov)"),
    (date(2024, 1, 1), date(2024, 1, 20), date(2024, 12, 31), "es", "2024 (20 ene–dic)"),
    (date(2025, 6, 1), date(2025, 6, 1), date(2025, 6, 15), "es", None),  # a month: its own label
])
def test_partial_periods(start, covered_from, covered_to, lang, expected):
    grain = "year" if start.month == 1 and expected else "month"
    got = i18n.fmt_partial(start, covered_from, covered_to, grain, lang)
    if expected is not None:
        assert got == expected
    else:
        assert got.startswith(i18n.fmt_month(start, lang)) and "15 jun" in got


# Grammar that differs on purpose: Spanish names the victims ("niñas y niños"), English the
# group ("children … as victims"); the groups page passes both.
GRAMMAR = {("victims",), ("group",)}


def test_every_message_in_both_languages_with_the_same_placeholders():
    fields = lambda text: {f for _, f, _, _ in string.Formatter().parse(text) if f}  # noqa: E731
    for key, texts in i18n.catalog().items():
        assert texts["es"].strip() and texts["en"].strip(), key
        es, en = fields(texts["es"]), fields(texts["en"])
        assert es == en or {tuple(sorted(es - en)), tuple(sorted(en - es))} == GRAMMAR, (key, es, en)


def test_spanish_texts_write_numbers_as_the_app_does():
    # es-PE: "100,000" and "15.5 %", never "100 000" or "15,5 %" beside the computed figures
    for key, texts in i18n.catalog().items():
        assert not re.search(r"\d[ \u00a0\u202f]\d{3}\b", texts["es"]), (key, texts["es"])
        assert not re.search(r"\d,\d\s?%", texts["es"]), (key, texts["es"])
