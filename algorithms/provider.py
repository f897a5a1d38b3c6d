"""The Processing provider `ocs`: every algorithm and the models shipped in resources/models/."""
from qgis.core import QgsApplication, QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from ..__about__ import ICON_PATH, PROVIDER_ID, VERSION
from . import models
from .applystyle import ApplyStyleAlgorithm
from .atlas import AtlasAlgorithm
from .artificialisation import ArtificialisationAlgorithm
from .carbon import CarbonAlgorithm
from .changedetection import ChangeDetectionAlgorithm
from .friches import FrichesAlgorithm
from .heatisland import HeatIslandAlgorithm
from .reclassify import ReclassifyAlgorithm
from .territoryflows import TerritoryFlowsAlgorithm
from .transitionmatrix import TransitionMatrixAlgorithm
from .urbanenvelope import UrbanEnvelopeAlgorithm
from .validate import ValidateAlgorithm
from .zantrajectory import ZanTrajectoryAlgorithm

ALGORITHMS = (ReclassifyAlgorithm, UrbanEnvelopeAlgorithm, ApplyStyleAlgorithm, ChangeDetectionAlgorithm,
              TransitionMatrixAlgorithm, TerritoryFlowsAlgorithm, ArtificialisationAlgorithm,
              ZanTrajectoryAlgorithm, HeatIslandAlgorithm, FrichesAlgorithm, ValidateAlgorithm,
              CarbonAlgorithm, AtlasAlgorithm)
MODELS_DIR = models.MODELS_DIR


class OcsProvider(QgsProcessingProvider):
    """The models' children (ocs:reclassify, …) are found through the registry, which only knows this provider
    once addProvider() has loaded it: the models are loaded by a second refresh, when the registry announces the
    provider (GUI, qgis_process and any code that adds the provider alike)."""

    def __init__(self):
        super().__init__()
        QgsApplication.processingRegistry().providerAdded.connect(self._on_provider_added)

    def id(self):
        return PROVIDER_ID

    def name(self):
        return "OCS Toolbox"

    def longName(self):  # noqa: N802
        return "OCS Toolbox %s" % VERSION

    def icon(self):
        return QIcon(ICON_PATH)

    def is_registered(self):
        return QgsApplication.processingRegistry().providerById(PROVIDER_ID) is self

    def _on_provider_added(self, provider_id):
        if provider_id != PROVIDER_ID or not self.is_registered():
            return   # another provider, or an `ocs` provider other than this one
        QgsApplication.processingRegistry().providerAdded.disconnect(self._on_provider_added)
        self.refreshAlgorithms()

    def loadAlgorithms(self):  # noqa: N802
        for algorithm in ALGORITHMS:
            self.addAlgorithm(algorithm())
        if self.is_registered():
            for model in models.load_models(MODELS_DIR):
                self.addAlgorithm(model)
