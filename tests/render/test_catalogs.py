"""The message catalogs: English and Simplified Chinese say the same things with the same parameters."""

from __future__ import annotations

import re
import tomllib

import pytest

from bot.render.catalog import Catalog, _flatten, placeholders
from bot.resources import templates_dir

LANGS = ("en", "zh-CN")
CJK_AREAS = ("core", "help")
I18N = templates_dir() / "i18n"
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CODE_SPAN = re.compile(r"`[^`]*`")


def load_area(lang: str, area: str) -> dict[str, str]:
    with (I18N / lang / f"{area}.toml").open("rb") as handle:
        return _flatten(tomllib.load(handle))


def areas() -> list[str]:
    return sorted({path.stem for lang in LANGS for path in (I18N / lang).glob("*.toml")})


PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def is_code_only(text: str) -> bool:
    """Nothing to translate: code spans, placeholders and symbols only, or an ASCII command line."""
    words = PLACEHOLDER.sub("", CODE_SPAN.sub("", text))
    if not any(char.isalpha() for char in words):
        return True
    return text.isascii() and text.lstrip().startswith("/")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(I18N)


def test_every_language_has_catalogs():
    for lang in LANGS:
        assert sorted((I18N / lang).glob("*.toml")), f"no catalogs for {lang}"


@pytest.mark.parametrize("area", areas())
def test_each_area_exists_in_both_languages(area):
    missing = [lang for lang in LANGS if not (I18N / lang / f"{area}.toml").is_file()]
    assert not missing, f"{area}.toml is missing for {missing}"


@pytest.mark.parametrize("area", areas())
def test_same_keys_per_area(area):
    en, zh = (load_area(lang, area) if (I18N / lang / f"{area}.toml").is_file() else {} for lang in LANGS)
    assert sorted(set(en) - set(zh)) == [], f"{area}: keys only in en"
    assert sorted(set(zh) - set(en)) == [], f"{area}: keys only in zh-CN"


def test_same_keys_merged(catalog):
    en, zh = (catalog.messages[lang] for lang in LANGS)
    assert sorted(set(en) ^ set(zh)) == []


def test_same_placeholders(catalog):
    en, zh = (catalog.messages[lang] for lang in LANGS)
    mismatched = {
        key: (sorted(placeholders(en[key])), sorted(placeholders(zh[key])))
        for key in sorted(en.keys() & zh.keys())
        if placeholders(en[key]) != placeholders(zh[key])
    }
    assert mismatched == {}


def test_placeholders_are_plain_names(catalog):
    """`{name}` only: a format spec or an attribute would break `format_map` at render time."""
    for lang in LANGS:
        for key, text in catalog.messages[lang].items():
            for name in placeholders(text):
                assert name.isidentifier(), f"{lang} {key}: {{{name}}}"
            text.format_map({name: "x" for name in placeholders(text)})


def test_no_empty_strings(catalog):
    for lang in LANGS:
        empty = sorted(key for key, text in catalog.messages[lang].items() if not text.strip())
        assert empty == [], f"empty strings in {lang}"


@pytest.mark.parametrize("area", CJK_AREAS)
def test_chinese_strings_are_translated(area):
    untranslated = {
        key: text for key, text in load_area("zh-CN", area).items()
        if not is_code_only(text) and not CJK.search(text)
    }
    assert untranslated == {}


@pytest.mark.parametrize("area", CJK_AREAS)
def test_chinese_differs_from_english(area):
    """A zh-CN string identical to its English one is a forgotten translation (unless it is code)."""
    en, zh = load_area("en", area), load_area("zh-CN", area)
    same = sorted(key for key in en.keys() & zh.keys() if en[key] == zh[key] and not is_code_only(en[key]) and CJK.search(en[key]) is None)
    assert same == []


def test_a_reply_that_cannot_be_shown_never_claims_nothing_was_saved(catalog):
    from bot.render.text import Renderer
    from bot.services.dispatch import Outcome
    from bot.services.results import ObjectiveList

    broken = Outcome(ObjectiveList("2026-Q4", objectives=(object(),)), None, "en")  # done, but not drawable
    reply = Renderer(catalog).outcome(broken)
    assert "Done, but I could not show the result" in reply and "Nothing was saved" not in reply
