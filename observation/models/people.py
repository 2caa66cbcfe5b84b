from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class Organization(models.Model):
    class Kind(models.TextChoices):
        OBSERVER_GROUP = "observer_group", _("Observer group")
        INTERGOVERNMENTAL = "intergovernmental", _("Intergovernmental organisation")
        GOVERNMENT = "government", _("Government")
        ELECTORAL_BODY = "electoral_body", _("Electoral body")
        MEDIA = "media", _("Media")
        CIVIL_SOCIETY = "civil_society", _("Civil society")
        ACADEMIC = "academic", _("Academic")

    name = models.CharField(_("name"), max_length=200, unique=True)
    acronym = models.CharField(_("acronym"), max_length=20, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    country = CountryField(_("country"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name


class Person(models.Model):
    """Someone who takes part in a mission or a dialogue. Not a login."""

    full_name = models.CharField(_("full name"), max_length=200)
    nationality = CountryField(_("nationality"), blank=True)
    affiliation = models.ForeignKey(
        Organization,
        verbose_name=_("affiliation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
    )
    title = models.CharField(
        _("title"),
        max_length=200,
        blank=True,
        help_text=_('A short title, e.g. "former president of the National Electoral Court".'),
    )

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [models.Index(fields=["full_name"], name="person_full_name_idx")]

    def __str__(self):
        return self.full_name
