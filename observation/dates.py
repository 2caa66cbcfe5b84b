"""Times that cannot be misread: the date with the month's name, and the zone named.

A mission's pages run in the mission's time zone (observation.access.mission_for),
so "10:15 (Lima time)" is what the observer's watch said, and a time typed on
those pages is read in that zone too.
"""

from django.utils import formats, timezone
from django.utils.translation import gettext as _


def zone_label() -> str:
    """The place the current time zone is named after: "America/Lima" → "Lima"."""
    return timezone.get_current_timezone_name().rsplit("/", 1)[-1].replace("_", " ")


def zoned(value) -> str:
    """A datetime as "9 Apr 2000, 10:15 (Lima time)" in the current time zone."""
    when = formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    return _("%(when)s (%(zone)s time)") % {"when": when, "zone": zone_label()}


def zoned_label(label) -> str:
    """A form label for a time typed in the current time zone: "Arrival (Lima time)"."""
    return _("%(label)s (%(zone)s time)") % {"label": label, "zone": zone_label()}
