"""Make the suite honest: a skipped test, an empty run or a missing browser fails the run."""

import shutil

import pytest


def pytest_configure(config):
    """Browser tours need Chromium and websocket-client; without them Odoo would skip them silently."""
    try:
        import websocket  # noqa: F401
    except ImportError:
        pytest.exit("websocket-client is not installed: browser tests cannot run.", returncode=3)
    if not any(shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")):
        pytest.exit("Chromium is not installed: browser tests cannot run.", returncode=3)
    if not config.getoption("--odoo-http", default=False):
        pytest.exit("Run the suite with --odoo-http (browser tests need the HTTP server).", returncode=3)


def pytest_sessionfinish(session, exitstatus):
    """Turn skipped tests into a failed run."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped and session.exitstatus == pytest.ExitCode.OK:
        reporter.write_line(f"FAILED: {skipped} test(s) skipped; a skipped test is a failure here.", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
