from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from observation import markdown

register = template.Library()


@register.filter
def render_markdown(text):
    return markdown.render(text)


# The mission's tabs: (label, page, the other pages that belong to the tab).
MISSION_TABS = (
    (_("Overview"), "mission_detail", {"delegation_import"}),
    (_("Stations"), "station_list", {"station_import", "station_detail"}),
    (_("Reports"), "report_list", {"report_create", "report_edit", "report_detail"}),
    (_("Irregularities"), "irregularity_list", {"irregularity_create", "irregularity_detail"}),
    (_("Review queue"), "review_queue", set()),
    (
        _("Election day"),
        "election_day",
        {"round_progress", "round_deployment", "round_map", "alerts", "outlines"},
    ),
    (_("Checklists"), "checklist_list", {"checklist_detail", "checklist_upload"}),
    (
        _("Statements"),
        "statement_list",
        {"statement_create", "statement_detail", "statement_edit"},
    ),
    (_("Follow-up"), "follow_up", {"recommendation_assess"}),
    (_("Summary"), "mission_summary", {"mission_public_summary"}),
)


@register.simple_tag(takes_context=True)
def mission_tabs(context):
    """The tabs of the current mission page the user may open, each with its address and
    whether the page is under it."""
    # A page rendered outside a request's resolved view (a benchmark) has no tab open.
    match = getattr(context.get("request"), "resolver_match", None)
    current = match.url_name if match else None
    access, mission = context.get("access"), context["mission"]
    return [
        {
            "label": label,
            "url": reverse(f"observation:{name}", args=[mission.pk]),
            "active": current == name or current in under,
        }
        for label, name, under in MISSION_TABS
        if name != "review_queue" or (access is not None and access.can["review_queue"])
    ]
