import pytest
from django.contrib.auth.models import Group

from tests import factories


@pytest.fixture
def editor(db):
    """A user in the "Dialogue editors" group that the data migration creates."""
    user = factories.UserFactory()
    user.groups.add(Group.objects.get(name="Dialogue editors"))
    return user


@pytest.fixture
def forum(db):
    return factories.DialogueForumFactory(
        name="Andean-U.S. Dialogue Forum", countries=["BO", "CO", "EC", "PE", "US", "VE"]
    )
