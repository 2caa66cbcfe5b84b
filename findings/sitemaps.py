from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from findings import public


class MissionSitemap(Sitemap):
    def items(self):
        return public.missions().order_by("pk")

    def location(self, item):
        return reverse("findings:mission", args=[item.slug])


class StatementSitemap(Sitemap):
    def items(self):
        return public.statements().order_by("pk")

    def location(self, item):
        return reverse("findings:statement", args=[item.mission.slug, item.slug])

    def lastmod(self, item):
        return item.published_at


class CountrySitemap(Sitemap):
    def items(self):
        return [country.code for country in public.countries()]

    def location(self, item):
        return reverse("findings:country", args=[item.lower()])


SITEMAPS = {"missions": MissionSitemap, "statements": StatementSitemap, "countries": CountrySitemap}
