"""What browser tests do when Chromium is missing: skipped locally, failed in CI."""

import pytest

from tests.e2e.conftest import missing_chromium_outcome

INSTALL = "sudo apt-get install chromium"


def test_present_chromium_runs_the_browser_tests(tmp_path):
    chromium = tmp_path / "chromium"
    chromium.touch()
    assert missing_chromium_outcome(chromium, {}) is None
    assert missing_chromium_outcome(chromium, {"CI": "true"}) is None


@pytest.mark.parametrize("env", [{}, {"CI": ""}, {"CI": "false"}, {"CI": "0"}])
def test_missing_chromium_outside_ci_skips_with_the_install_command(tmp_path, env):
    chromium = tmp_path / "chromium"
    end, reason = missing_chromium_outcome(chromium, env)
    assert end is pytest.skip
    assert str(chromium) in reason
    assert INSTALL in reason


@pytest.mark.parametrize("ci", ["true", "1", "True", "yes"])
def test_missing_chromium_in_ci_fails(tmp_path, ci):
    chromium = tmp_path / "chromium"
    end, reason = missing_chromium_outcome(chromium, {"CI": ci})
    assert end is pytest.fail
    assert INSTALL in reason
