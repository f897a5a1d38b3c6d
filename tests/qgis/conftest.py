"""pytest-qgis fixtures: QGIS application, Processing, and the `ocs` provider registered once."""
import pytest


@pytest.fixture(scope="session", autouse=True)
def ocs_provider(qgis_app, qgis_processing):
    from qgis.core import QgsApplication

    from ocs_toolbox.algorithms.provider import OcsProvider

    registry = QgsApplication.processingRegistry()
    provider = registry.providerById("ocs")
    if provider is None:
        provider = OcsProvider()
        registry.addProvider(provider)
    yield provider



@pytest.fixture(scope="session")
def postgis():
    """A real PostgreSQL/PostGIS (issue #17): libpq connection string of a database with PostGIS.

    The host leg starts a throwaway cluster (tests/pgcluster.py) and removes it at the end, even on failure. The
    QGIS 3.40 leg gets the one scripts/qgis340.sh started on the host, in OCS_TEST_PG. Never skipped: a test
    that needs PostGIS fails with the reason when there is none."""
    import os
    import sys

    given = os.environ.get("OCS_TEST_PG")
    if given:
        yield given
        return
    if os.environ.get("OCS_TEST_PG_ERROR"):
        pytest.fail("PostgreSQL/PostGIS could not be started: %s" % os.environ["OCS_TEST_PG_ERROR"], pytrace=False)
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import pgcluster

    try:
        cluster = pgcluster.start()
    except pgcluster.ClusterError as error:
        pytest.fail("PostgreSQL/PostGIS could not be started: %s" % error, pytrace=False)
    try:
        yield cluster["conninfo"]
    finally:
        pgcluster.stop(cluster["dir"])
