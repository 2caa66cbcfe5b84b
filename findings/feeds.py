from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from findings import public
from observation.markdown import render


class LatestStatements(Feed):
    """Newly published statements, for journalists and partners to subscribe to."""

    feed_type = Atom1Feed
    title = _("Observa: published findings statements")
    subtitle = _("Statements as election observation missions publish them.")

    def link(self):
        return reverse("findings:index")

    def items(self):
        return public.statements().order_by("-published_at", "-pk")[:50]

    def item_title(self, item):
        return f"{item.mission.name}: {item.reader_title}"

    def item_description(self, item):
        # Rendered and sanitised as on the site.
        return render(item.reader_body)

    def item_link(self, item):
        return reverse("findings:statement", args=[item.mission.slug, item.slug])

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at
