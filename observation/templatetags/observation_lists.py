from django import template

register = template.Library()


@register.filter
def area(station, level):
    """The station's area at `level` (1 = the first administrative level), or ""."""
    if station is None:
        return ""
    return getattr(station, f"area_{int(level)}", "")
