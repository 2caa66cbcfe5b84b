"""The Spanish catalogue is complete: every message we wrote is translated, and
every word a template shows goes through the catalogue."""

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.template.base import Lexer, TokenType
from django.test import override_settings

SOURCES = ["accounts", "config", "dialogues", "observation", "templates"]
CATALOGUE = settings.BASE_DIR / "locale" / "es" / "LC_MESSAGES" / "django.po"
TEMPLATES = sorted(
    path
    for pattern in ("*.html", "*.txt", "*.xml")
    for path in (settings.BASE_DIR / "templates").rglob(pattern)
)
# Read by the ear or the eye although they sit in an attribute.
SHOWN_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "label"}
# Names, not words of a language.
NOT_TRANSLATED = {"Observa"}
# Template tags whose text is a translation or is never shown.
QUIET_BLOCKS = {
    "blocktranslate": "endblocktranslate",
    "blocktrans": "endblocktrans",
    "comment": "endcomment",
    "verbatim": "endverbatim",
}
# Where a template tag or variable stood: a space, as tags also sit inside HTML tags
# (<tr{% if %} class="x"{% endif %}>).
HOLE = " "


def _text_shown(source: str) -> str:
    """The template's own text, with every tag and variable replaced by HOLE, and
    the text of blocktranslate (translated) and comment blocks left out."""
    parts = []
    closing = None
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split(maxsplit=1)[0] if token.contents else ""
            if closing is None and name in QUIET_BLOCKS:
                closing = QUIET_BLOCKS[name]
            elif name == closing:
                closing = None
            parts.append(HOLE)
        elif token.token_type == TokenType.TEXT:
            parts.append(HOLE if closing else token.contents)
        else:
            parts.append(HOLE)
    return "".join(parts)


class _Words(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self._hidden += 1
        for name, value in attrs:
            if name in SHOWN_ATTRIBUTES and value:
                self._words(value)

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self._words(data)

    def _words(self, text):
        # A name glued to a variable ("model-{{ name }}") is a class or an id.
        text = re.sub(r"[\w-]+-(?=\s|$)", "", text)
        words = re.findall(r"[^\W\d_]{2,}", text)
        if any(word not in NOT_TRANSLATED for word in words):
            self.found.append(" ".join(text.split()))


def untranslated_words(source: str) -> list[str]:
    parser = _Words()
    parser.feed(_text_shown(source))
    parser.close()
    return parser.found


def test_template_check_finds_unmarked_text():
    assert untranslated_words("<p>Ballots cast</p>") == ["Ballots cast"]
    assert untranslated_words('<a title="Edit it" href="#">{% translate "Edit" %}</a>') == [
        "Edit it"
    ]
    assert untranslated_words('<a aria-label="{% translate "Edit" %}">{{ name }}</a>') == []
    assert untranslated_words("{% blocktranslate %}Hello {{ x }}{% endblocktranslate %}") == []
    assert untranslated_words("{% comment %}Why it is so{% endcomment %}<b>—</b>") == []
    assert untranslated_words('<tr{% if x %} class="muted"{% endif %}>') == []
    assert untranslated_words('<body class="{{ x }} model-{{ y }}">') == []


@pytest.mark.parametrize(
    "template", TEMPLATES, ids=lambda path: str(path.relative_to(settings.BASE_DIR))
)
def test_template_marks_every_word_for_translation(template):
    assert untranslated_words(template.read_text()) == []


def _gettext(*command, **kwargs):
    return subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)


def test_catalogue_compiles_with_placeholders_intact():
    result = _gettext("msgfmt", "--check", "--output-file=/dev/null", str(CATALOGUE))
    assert result.returncode == 0, result.stderr


def test_catalogue_has_no_fuzzy_or_untranslated_message():
    fuzzy = _gettext("msgattrib", "--only-fuzzy", "--no-obsolete", str(CATALOGUE))
    untranslated = _gettext("msgattrib", "--untranslated", "--no-obsolete", str(CATALOGUE))
    assert fuzzy.stdout == "", fuzzy.stdout
    assert untranslated.stdout == "", untranslated.stdout


def _message_at(catalogue: Path, line: int) -> str:
    """The msgid of the entry whose msgstr is at `line` (msgcmp names that line)."""
    lines = catalogue.read_text().splitlines()[:line]
    start = max(n for n, text in enumerate(lines) if text.startswith('msgid "'))
    return " ".join(text for text in lines[start:] if not text.startswith("msgstr"))


def test_catalogue_translates_every_message_of_the_code(tmp_path, monkeypatch):
    # makemessages writes where it runs: extract from a copy of the code into an
    # empty catalogue, so the committed one is only read.
    for name in SOURCES:
        shutil.copytree(
            settings.BASE_DIR / name,
            tmp_path / name,
            ignore=shutil.ignore_patterns("__pycache__", "locale"),
        )
    locale = tmp_path / "locale"
    locale.mkdir()
    monkeypatch.chdir(tmp_path)
    with override_settings(LOCALE_PATHS=[locale]):
        call_command("makemessages", locale=["es"], verbosity=0)
    extracted = locale / "es" / "LC_MESSAGES" / "django.po"
    assert extracted.exists()

    # msgcmp counts a fuzzy or untranslated message of the catalogue as missing.
    result = _gettext("msgcmp", str(CATALOGUE), str(extracted))
    pattern = rf"{re.escape(str(extracted))}:(\d+): this message is used"
    missing = [_message_at(extracted, int(n)) for n in re.findall(pattern, result.stderr)]
    assert result.returncode == 0, (
        "Messages missing, fuzzy or untranslated in locale/es: update it with\n"
        "  .venv/bin/python manage.py makemessages -l es --ignore=.venv --ignore=tests "
        "--ignore=var --ignore=staticfiles --no-obsolete\n"
        "and translate them:\n" + "\n".join(missing or [result.stderr])
    )
