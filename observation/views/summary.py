from django.conf import settings
from django.shortcuts import render
from django.utils.translation import get_language

from observation.access import mission_for
from observation.printing import pdf_response
from observation.summary import TEMPLATE, build_summary, summary_file_name, summary_variant


def summary_page(
    request, mission, *, public: bool, pdf: bool, name_observers: bool, context, kept=False
):
    """The summary on screen or as a PDF; the members' pages and the public findings site
    (which adds `findings` to `context`) share it. A `kept` PDF, the same for every reader,
    is laid out once for as long as it reads the same (printing.pdf_response)."""
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
            filename=summary_file_name(
                mission, public=summary.public, include_unverified=summary.include_unverified
            ),
            kept_as=f"summary-{mission.pk}-{get_language()}" if kept else "",
        )
    return render(request, TEMPLATE, context)


def _summary(request, pk, *, public: bool, pdf: bool):
    access = mission_for(request, pk)
    if pdf:
        reports = access.mission.reports.count()
        if reports > settings.SUMMARY_PDF_IN_REQUEST_REPORTS:
            # Seconds of counting and laying out: the task worker writes it instead.
            unverified = not public and request.GET.get("unverified") == "1"
            _variant, title = summary_variant(public=public, include_unverified=unverified)
            context = {
                "access": access,
                "mission": access.mission,
                "public": public,
                "unverified": unverified,
                "title": title,
                "reports": reports,
            }
            return render(request, "observation/summary_job.html", context)
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
