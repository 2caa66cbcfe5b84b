from django import template
from django.template.base import render_value_in_context
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from observation import markdown

register = template.Library()


@register.filter
def render_markdown(text):
    return markdown.render(text)


OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


@register.simple_tag(takes_context=True)
def select_options(context, widget):
    """A select's options and groups, one to a line, as Django's select.html and
    select_option.html write them. Written here rather than by a template loop, which
    costs some 25 µs an option: a page of filters lists hundreds. Labels are shown as
    {{ }} shows them (localized, escaped); an option of another template is included."""
    parts = []
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            label = render_value_in_context(group_name, context)
            parts.append(format_html('\n  <optgroup label="{}">', label))
        for option in options:
            if option["template_name"] == OPTION_TEMPLATE:
                parts.append(
                    format_html(
                        '\n  <option value="{}"{}>{}</option>',
                        option["value"],
                        _attributes(option["attrs"]),
                        render_value_in_context(option["label"], context),
                    )
                )
            else:
                included = context.template.engine.get_template(option["template_name"])
                with context.push(widget=option):
                    parts.append("\n  " + included.render(context))
        if group_name:
            parts.append("\n  </optgroup>")
    return mark_safe("".join(parts))


def _attributes(attrs) -> str:
    """As django/forms/widgets/attrs.html writes them: a True value as the bare name, a
    False one left out."""
    return mark_safe(
        "".join(
            format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
            for name, value in attrs.items()
            if value is not False
        )
    )


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
