import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone, translation

from observation.models import MissionMembership
from tests import factories

# The manifest storage needs `collectstatic` first; tests render templates
# without it and whitenoise serves from the app folders instead of STATIC_ROOT.
# tests/test_site.py checks the production storage on its own.
# A deliberately slow password hash costs a second per test user; tests need none of it.
_PLAIN_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


@pytest.fixture(autouse=True, scope="session")
def _plain_static_storage():
    with override_settings(
        STORAGES=_PLAIN_STATIC,
        STATIC_ROOT=None,
        WHITENOISE_USE_FINDERS=True,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    ):
        yield


@pytest.fixture(autouse=True)
def _server_time_zone():
    # The test client runs views in the test's own thread, and a mission page
    # switches that thread to the mission's zone: no test inherits another's.
    yield
    timezone.deactivate()


IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
QUEUED_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Files a test stores (photos, uploads, jobs' results) go to its own folder, never to
    # var/media.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    # Each task runs as it is queued, where the test can see what it did; the tests of the
    # worker's own queue set QUEUED_TASKS and run the worker.
    settings.TASKS = IMMEDIATE_TASKS


@pytest.fixture(autouse=True)
def _site_language():
    # Likewise a page asked for in Spanish leaves the thread in Spanish.
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def user(db):
    return factories.UserFactory()


@pytest.fixture
def superuser(db):
    return factories.UserFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def mission(db):
    return factories.MissionFactory()


def _member(mission, role):
    return factories.MissionMembershipFactory(mission=mission, role=role).user


@pytest.fixture
def staff(mission):
    return _member(mission, MissionMembership.Role.STAFF)


@pytest.fixture
def reviewer(mission):
    return _member(mission, MissionMembership.Role.REVIEWER)


@pytest.fixture
def leader(mission):
    return _member(mission, MissionMembership.Role.LEADER)


@pytest.fixture
def stranger(db):
    """Signed in, but on another mission only."""
    return factories.MissionMembershipFactory(role=MissionMembership.Role.LEADER).user
