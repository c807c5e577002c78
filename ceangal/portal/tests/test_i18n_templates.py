"""Every word a client reads on their pages is marked for translation: no visible text in the
portal's templates sits outside {% translate %} or {% blocktranslate %}.

A small scanner rather than a parser: it removes what Django renders from elsewhere (translation
blocks, variables, tags, comments), then the HTML tags, and whatever letters are left would reach
the client untranslated. Attributes a person reads (aria-label, title, alt, placeholder) are
checked the same way.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

PORTAL_TEMPLATES = Path(settings.BASE_DIR) / "ceangal" / "templates" / "portal"
_BLOCKTRANSLATE = re.compile(r"{%\s*blocktrans(late)?\b.*?{%\s*endblocktrans(late)?\s*%}", re.DOTALL)
_DJANGO = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_SCRIPT_STYLE = re.compile(r"<(script|style)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>", re.DOTALL)
_READ_ATTRIBUTES = re.compile(r'\b(aria-label|title|alt|placeholder)="([^"]*)"')
_LETTERS = re.compile(r"[^\W\d_]{2,}")


def untranslated(source: str) -> list[str]:
    """The pieces of visible text in a template that are not marked for translation."""
    text = _BLOCKTRANSLATE.sub(" ", source)
    found = [value for _name, value in _READ_ATTRIBUTES.findall(_DJANGO.sub("", text))]
    text = _DJANGO.sub(" ", text)
    text = _COMMENT.sub(" ", text)
    text = _SCRIPT_STYLE.sub(" ", text)
    text = _TAG.sub("\n", text)
    found += [line.strip() for line in text.splitlines()]
    return [piece for piece in found if _LETTERS.search(piece)]


def _templates() -> list[Path]:
    return sorted(PORTAL_TEMPLATES.glob("*.html"))


def test_the_scanner_finds_text_outside_the_tags():
    assert untranslated("<p>Hello there</p>") == ["Hello there"]
    assert untranslated('<nav aria-label="Main">{% translate "Fine" %}</nav>') == ["Main"]
    assert untranslated("<h1>{{ title }}</h1><p>{% blocktranslate %}All {{ n }} fine{% endblocktranslate %}</p>") == []
    assert untranslated('<a href="{% url \'portal:home\' %}">{% translate "Home" %}</a>: ,') == []


def test_there_are_portal_templates_to_scan():
    assert len(_templates()) >= 10


@pytest.mark.parametrize("path", _templates(), ids=lambda p: p.name)
def test_no_visible_text_outside_translation_tags(path: Path):
    assert untranslated(path.read_text(encoding="utf-8")) == [], f"{path.name}: mark these for translation"
