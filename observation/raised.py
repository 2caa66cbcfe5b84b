"""The accounts the application writes on the irregularities it raises, in the reader's
language.

An overvote, or a concerning answer to a checklist question, raises an irregularity whose
description the application writes. It keeps the facts it wrote it from (the figures; the
question and answer in each of the site's languages) so that every reader gets the account
in their own language, whoever's save raised it; the description field keeps it in the
site's language, for search and the admin.
"""

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _

OVERVOTE = "overvote"
ANSWER = "answer"


def overvote_facts(report) -> dict:
    return {
        "kind": OVERVOTE,
        "cast": report.ballots_cast,
        "registered": report.station.registered_voters,
        "code": report.station.code,
    }


def answer_facts(answer) -> dict:
    question = answer.question
    texts = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            texts[language] = {"question": question.label, "answer": question.display(answer.value)}
    return {"kind": ANSWER, "code": answer.report.station.code, "texts": texts}


def account(facts: dict) -> str:
    """The account of `facts` in the active language."""
    if facts["kind"] == OVERVOTE:
        cast, registered = facts["cast"], facts["registered"]
        return _(
            "%(cast)s ballots cast at station %(code)s, which has %(registered)s registered "
            "voters: %(excess)s more than could have voted."
        ) % {
            "cast": formats.number_format(cast, force_grouping=True),
            "code": facts["code"],
            "registered": formats.number_format(registered, force_grouping=True),
            "excess": formats.number_format(cast - registered, force_grouping=True),
        }
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    texts = facts["texts"].get(language) or facts["texts"][settings.LANGUAGE_CODE]
    return _("Answered “%(answer)s” to “%(question)s” at station %(code)s.") % {
        **texts,
        "code": facts["code"],
    }


def recorded(facts: dict) -> dict:
    """The fields of a raised irregularity that carry its account."""
    with translation.override(settings.LANGUAGE_CODE):
        return {"facts": facts, "description": account(facts)}
