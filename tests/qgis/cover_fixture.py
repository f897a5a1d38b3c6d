"""A LandCover opened straight from a hand-built layer, for the tests that call the engines directly.

QgsProcessingFeatureSource does not own its layer nor its context: both are kept until the end of the test
(``release_layers``, autouse once imported into a test module), then freed while QGIS still runs."""
import pytest
from qgis.core import QgsProcessingContext, QgsProcessingFeatureSource, QgsProject

from helpers import Feedback
from ocs_toolbox.engines import landcover

KEEP = []


@pytest.fixture(autouse=True)
def release_layers():
    yield
    KEEP.clear()


def open_cover(layer, vintages=""):
    """(landcover.LandCover of ``layer``, its QgsProcessingContext)."""
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    KEEP.append((layer, context))
    source = QgsProcessingFeatureSource(layer, context)
    return landcover.open_land_cover(source, context, Feedback(), vintages=vintages), context
