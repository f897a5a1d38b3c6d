"""The Processing provider `ocs`: every algorithm and the models shipped in resources/models/."""
import glob
import os

from qgis.core import QgsProcessingModelAlgorithm, QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from ..__about__ import ICON_PATH, PLUGIN_DIR, PROVIDER_ID, VERSION
from .applystyle import ApplyStyleAlgorithm
from .artificialisation import ArtificialisationAlgorithm
from .changedetection import ChangeDetectionAlgorithm
from .friches import FrichesAlgorithm
from .heatisland import HeatIslandAlgorithm
from .reclassify import ReclassifyAlgorithm
from .territoryflows import TerritoryFlowsAlgorithm
from .transitionmatrix import TransitionMatrixAlgorithm
from .urbanenvelope import UrbanEnvelopeAlgorithm
from .zantrajectory import ZanTrajectoryAlgorithm

ALGORITHMS = (ReclassifyAlgorithm, UrbanEnvelopeAlgorithm, ApplyStyleAlgorithm, ChangeDetectionAlgorithm,
              TransitionMatrixAlgorithm, TerritoryFlowsAlgorithm, ArtificialisationAlgorithm,
              ZanTrajectoryAlgorithm, HeatIslandAlgorithm, FrichesAlgorithm)
MODELS_DIR = os.path.join(PLUGIN_DIR, "resources", "models")


class OcsProvider(QgsProcessingProvider):
    def id(self):
        return PROVIDER_ID

    def name(self):
        return "OCS Toolbox"

    def longName(self):  # noqa: N802
        return "OCS Toolbox %s" % VERSION

    def icon(self):
        return QIcon(ICON_PATH)

    def loadAlgorithms(self):  # noqa: N802
        for algorithm in ALGORITHMS:
            self.addAlgorithm(algorithm())
        for path in sorted(glob.glob(os.path.join(MODELS_DIR, "*.model3"))):
            model = QgsProcessingModelAlgorithm()
            if model.fromFile(path):
                self.addAlgorithm(model)
