"""pytest-qgis fixtures: QGIS application, Processing, and the `ocs` provider registered once."""
import gc

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




@pytest.fixture(autouse=True)
def collect_cycles():
    """Whatever a test left in reference cycles (an OGR layer among them) is freed when the test ends, while QGIS
    runs: collected after QGIS has exited, an OGR layer makes the interpreter's exit crash."""
    yield
    gc.collect()
