from django import template

from observation import dates

register = template.Library()


@register.filter
def zoned(value):
    """A datetime as "9 Apr 2000, 10:15 (Lima time)"; nothing for no time."""
    return dates.zoned(value) if value else ""
