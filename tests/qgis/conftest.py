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


