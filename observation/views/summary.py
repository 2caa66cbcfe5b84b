from django.shortcuts import render
from django.utils.text import slugify

from observation.access import mission_for
from observation.printing import pdf_response
from observation.summary import build_summary

TEMPLATE = "observation/mission_summary.html"


def summary_file_name(mission, summary) -> str:
    """Each variant under its own name: a folder of downloads must not mix the press's
    copy with the members' one, nor the members' one with its unverified variant."""
    if summary.public:
        variant = "public-summary"
    elif summary.include_unverified:
        variant = "members-summary-with-unverified"
    else:
        variant = "members-summary"
    return f"{slugify(mission.name)}-{variant}.pdf"


def summary_page(request, mission, *, public: bool, pdf: bool, name_observers: bool, context):
    """The summary on screen or as a PDF; the members' pages and the public findings site
    (which adds `findings` to `context`) share it."""
    # Coverage by any of the mission's administrative levels on screen; by the first in
    # print. An unknown level shows the first.
    level = request.GET.get("level", "1")
    summary = build_summary(
        mission=mission,
        public=public,
        include_unverified=request.GET.get("unverified") == "1",
        name_observers=name_observers,
        level=int(level) if level.isdecimal() and not pdf else 1,
    )
    context = {**context, "mission": mission, "summary": summary}
    if pdf:
        return pdf_response(
            request=request,
            template_name=TEMPLATE,
            context=context,
            filename=summary_file_name(mission, summary),
        )
    return render(request, TEMPLATE, context)


def _summary(request, pk, *, public: bool, pdf: bool):
    access = mission_for(request, pk)
    return summary_page(
        request,
        access.mission,
        public=public,
        pdf=pdf,
        name_observers=access.names_observers,
        context={"access": access},
    )


def mission_summary(request, pk):
    """The members' summary; `?unverified=1` adds the irregularities not yet reviewed."""
    return _summary(request, pk, public=False, pdf=False)


def mission_summary_pdf(request, pk):
    return _summary(request, pk, public=False, pdf=True)


def mission_public_summary(request, pk):
    """What the mission may hand to the press: verified and published material only."""
    return _summary(request, pk, public=True, pdf=False)


def mission_public_summary_pdf(request, pk):
    return _summary(request, pk, public=True, pdf=True)
