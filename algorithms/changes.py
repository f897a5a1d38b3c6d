"""The parameters shared by ocs:changedetection, ocs:transitionmatrix and ocs:territoryflows, read into the
dataclasses of engines/changes.py (the stream of pieces: one multi-date layer, or INPUT overlaid with
INPUT_AFTER, split by ZONES). Domain rules (codes, statuses, type of change, flows) are in core/changes.py.
"""
from qgis.core import (
    QgsProcessingException,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)
from qgis.PyQt.QtCore import QCoreApplication

from .. import compat
from ..core import changes as ch
from ..core import detection
from ..engines import changes
from ..fastpath import gpkg
from . import base, inputs

translate = QCoreApplication.translate


def target_options():
    return [translate("ChangeAlgorithm", "Raw couverture code"), translate("ChangeAlgorithm", "Raw usage code"),
            translate("ChangeAlgorithm", "Couverture × usage pair"), translate("ChangeAlgorithm", "Level 1"),
            translate("ChangeAlgorithm", "Level 2"), translate("ChangeAlgorithm", "Level 3"),
            translate("ChangeAlgorithm", "OCS GE equivalent"), translate("ChangeAlgorithm", "4 postes"),
            translate("ChangeAlgorithm", "21 postes"), translate("ChangeAlgorithm", "ENAF"),
            translate("ChangeAlgorithm", "NAF / non-NAF"),
            translate("ChangeAlgorithm", "Artificialisation (decree 2023-1096, matrix step)")]


def name_field_parameter(name="NAME_FIELD", parent="ZONES"):
    """NAME_FIELD of the change tools and ocs:zantrajectory: the zone names shown in the reports (after ZONE_FIELD)."""
    return QgsProcessingParameterField(
        name, translate("ChangeAlgorithm", "Zone name field (e.g. commune name; empty = detected)"),
        parentLayerParameterName=parent, optional=True)


def spatial_rules_parameter(name="SPATIAL_RULES"):
    """The SPATIAL_RULES parameter of the change tools and ocs:zantrajectory (last of their parameters)."""
    return QgsProcessingParameterBoolean(
        name, translate("ChangeAlgorithm", "Apply the OCS2D spatial rules (see the help)"), defaultValue=True)


def dimension_options():
    return [translate("ChangeAlgorithm", "Couverture"), translate("ChangeAlgorithm", "Usage"),
            translate("ChangeAlgorithm", "Couverture × usage")]


class ChangeAlgorithm(base.OcsAlgorithm):
    """Common parameters (ids frozen) and the engine entry point."""

    GROUP = "changes"
    INPUT = "INPUT"
    INPUT_AFTER = "INPUT_AFTER"
    FROM_VINTAGE = "FROM_VINTAGE"
    TO_VINTAGE = "TO_VINTAGE"
    TARGET = "TARGET"
    DIMENSION = "DIMENSION"
    NOMENCLATURE = "NOMENCLATURE"
    ZONES = "ZONES"
    ZONE_FIELD = "ZONE_FIELD"
    NAME_FIELD = "NAME_FIELD"
    MIN_AREA_M2 = "MIN_AREA_M2"
    SPATIAL_RULES = "SPATIAL_RULES"
    DEFAULT_TARGET = 7  # 4 postes
    USES_STATUSES = True  # the outputs use the artificialised and ENAF statuses (type of change, flows)

    def add_common_parameters(self):
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT, translate("ChangeAlgorithm", "Land cover layer (multi-date, or the first vintage)"),
            [compat.TYPE_VECTOR_POLYGON]))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT_AFTER, translate("ChangeAlgorithm", "Second vintage layer (overlay mode)"),
            [compat.TYPE_VECTOR_POLYGON], optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.FROM_VINTAGE, translate("ChangeAlgorithm", "From vintage (year; empty = first detected)"),
            optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.TO_VINTAGE, translate("ChangeAlgorithm", "To vintage (year; empty = last detected)"),
            optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            self.TARGET, translate("ChangeAlgorithm", "Compare"), target_options(),
            defaultValue=self.DEFAULT_TARGET))
        self.addParameter(QgsProcessingParameterEnum(
            self.DIMENSION, translate("ChangeAlgorithm", "Dimension for levels and OCS GE equivalent"),
            dimension_options(), defaultValue=0))
        self.addParameter(QgsProcessingParameterEnum(
            self.NOMENCLATURE, translate("ChangeAlgorithm", "Nomenclature"), base.nomenclature_options(),
            defaultValue=0))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.ZONES, translate("ChangeAlgorithm", "Zones (e.g. communes)"),
            [compat.TYPE_VECTOR_POLYGON], optional=True))
        self.addParameter(QgsProcessingParameterField(
            self.ZONE_FIELD, translate("ChangeAlgorithm", "Zone field (e.g. INSEE code)"),
            parentLayerParameterName=self.ZONES, optional=True))
        self.addParameter(name_field_parameter(self.NAME_FIELD, self.ZONES))
        self.addParameter(QgsProcessingParameterNumber(
            self.MIN_AREA_M2, translate("ChangeAlgorithm", "Drop overlay pieces smaller than (m², 0 = keep all)"),
            compat.NUMBER_DOUBLE, defaultValue=0.0, minValue=0.0))

    def options(self, parameters, context, all_periods):
        """The ChangeOptions of the parameters (FROM_VINTAGE and TO_VINTAGE checked and normalised)."""
        ends = []
        for name in (self.FROM_VINTAGE, self.TO_VINTAGE):
            value = self.parameterAsString(parameters, name, context).strip()
            if value and not (value.isdigit() and len(value) in (2, 4)):
                raise QgsProcessingException(translate(
                    "ChangeAlgorithm", "{0}: '{1}' is not a year. Give a year such as 2015.").format(name, value))
            ends.append(detection.parse_vintages(value)[0] if value else "")
        target = self.parameterAsEnum(parameters, self.TARGET, context)
        return changes.ChangeOptions(
            target=ch.TARGETS[target], target_label=target_options()[target],
            dimension=ch.DIMENSIONS[self.parameterAsEnum(parameters, self.DIMENSION, context)],
            min_area=self.parameterAsDouble(parameters, self.MIN_AREA_M2, context) or 0.0,
            from_vintage=ends[0], to_vintage=ends[1],
            nomenclature=self.parameterAsEnum(parameters, self.NOMENCLATURE, context), all_periods=all_periods,
            spatial_rules=self.parameterAsBoolean(parameters, self.SPATIAL_RULES, context),
            statuses=self.USES_STATUSES)

    def job(self, parameters, context, feedback, all_periods):
        """The engine's ChangeJob of the parameters."""
        options = self.options(parameters, context, all_periods)
        return changes.ChangeJob(change_inputs(self, parameters, context, feedback), options, context, feedback)


def change_inputs(alg, parameters, context, feedback):
    """ChangeInputs of INPUT, INPUT_AFTER (optional), ZONES and ZONE_FIELD (guessed when empty)."""
    before = base.require_polygon_source(alg, parameters, "INPUT", context)
    after = None
    if parameters.get("INPUT_AFTER") not in (None, ""):
        after = base.require_polygon_source(alg, parameters, "INPUT_AFTER", context)
    zones = inputs.zones(alg, parameters, context, feedback)
    return changes.ChangeInputs(before, after, zones.source if zones else None, zones.field if zones else None,
                                zones.name_field if zones else None,
                                whole_gpkg(alg, parameters, "INPUT", context),
                                whole_gpkg(alg, parameters, "INPUT_AFTER", context) if after is not None else None,
                                whole_pg(alg, parameters, "INPUT", context),
                                whole_pg(alg, parameters, "INPUT_AFTER", context) if after is not None else None)


def whole_pg(alg, parameters, name, context):
    """The fastpath.pg.PgRelation when parameter ``name`` is a whole PostgreSQL layer with an integer key (the
    spatial rules then read only the geometries they need, the push-down runs the rules there), else None."""
    try:
        return base.pg_input(alg, parameters, name, context)
    except (gpkg.FastPathUnavailable, RuntimeError):
        return None


def whole_gpkg(alg, parameters, name, context):
    """(path, layer name) when parameter ``name`` is a whole GeoPackage layer (the spatial rules then read only
    the geometries they need), else None."""
    try:
        return base.gpkg_input(alg, parameters, name, context)
    except (gpkg.FastPathUnavailable, RuntimeError):
        return None
