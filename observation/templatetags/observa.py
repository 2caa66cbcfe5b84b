from django import template

from observation import markdown

register = template.Library()


@register.filter
def render_markdown(text):
    return markdown.render(text)
