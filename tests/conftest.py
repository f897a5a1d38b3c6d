"""Test setup shared by every leg: the plugin importable as `ocs_toolbox`, a throwaway QGIS profile."""
import os
import sys
import tempfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLUGINS = os.path.join(ROOT, ".build", "plugins")
if not os.path.isdir(os.path.join(PLUGINS, "ocs_toolbox")):
    os.makedirs(PLUGINS, exist_ok=True)
    os.symlink(ROOT, os.path.join(PLUGINS, "ocs_toolbox"))
if PLUGINS not in sys.path:
    sys.path.insert(0, PLUGINS)
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QGIS_CUSTOM_CONFIG_PATH", tempfile.mkdtemp(prefix="ocs_qgis_profile_"))
os.environ["QGIS_PLUGINPATH"] = PLUGINS


@pytest.fixture(scope="session")
def postgis():
    """A real PostgreSQL/PostGIS (issue #17): libpq connection string of a database with PostGIS.

    The host leg starts a throwaway cluster (tests/pgcluster.py) and removes it at the end, even on failure. The
    QGIS 3.40 leg gets the one scripts/qgis340.sh started on the host, in OCS_TEST_PG. Never skipped: a test
    that needs PostGIS fails with the reason when there is none."""
    given = os.environ.get("OCS_TEST_PG")
    if given:
        yield given
        return
    if os.environ.get("OCS_TEST_PG_ERROR"):
        pytest.fail("PostgreSQL/PostGIS could not be started: %s" % os.environ["OCS_TEST_PG_ERROR"], pytrace=False)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import pgcluster

    try:
        cluster = pgcluster.start()
    except pgcluster.ClusterError as error:
        pytest.fail("PostgreSQL/PostGIS could not be started: %s" % error, pytrace=False)
    try:
        yield cluster["conninfo"]
    finally:
        pgcluster.stop(cluster["dir"])
