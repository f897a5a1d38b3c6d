"""The frozen interface: provider id, algorithm ids, parameter names and enum sizes.

Users' saved models (.model3) and qgis_process scripts store these: change them only on purpose, with a
CHANGELOG entry, and update this test in the same commit.
"""
from qgis.core import QgsApplication

COMMON_CHANGES = ["INPUT", "INPUT_AFTER", "FROM_VINTAGE", "TO_VINTAGE", "TARGET", "DIMENSION", "NOMENCLATURE",
                  "ZONES", "ZONE_FIELD", "NAME_FIELD", "MIN_AREA_M2"]
FROZEN = {
    "ocs:reclassify": ["INPUT", "NOMENCLATURE", "VINTAGES", "CS_FIELD", "US_FIELD", "TARGETS", "CUSTOM_TABLE",
                       "OUTPUT"],
    "ocs:urbanenvelope": ["INPUT", "VINTAGES", "BUFFER", "MIN_AREA_HA", "OUTPUT"],
    "ocs:applystyle": ["INPUT", "FIELD", "TEMPLATE", "OUTPUT_QML"],
    "ocs:changedetection": COMMON_CHANGES + ["ONLY_CHANGES", "OUTPUT", "SPATIAL_RULES"],
    "ocs:transitionmatrix": COMMON_CHANGES + ["OUTPUT", "REPORT", "SPATIAL_RULES"],
    "ocs:territoryflows": COMMON_CHANGES + ["OUTPUT", "SPATIAL_RULES"],
    "ocs:artificialisation": ["INPUT", "NOMENCLATURE", "VINTAGES", "APPLY_THRESHOLDS", "BUILT_MIN_M2", "OTHER_MIN_M2",
                              "EXEMPT_PARKS", "EXEMPT_PV", "DISSOLVE", "OUTPUT"],
    "ocs:zantrajectory": ["INPUT", "INPUT_AFTER", "ZONES", "ZONE_FIELD", "NAME_FIELD", "REFERENCE_START", "REFERENCE_END",
                          "REDUCTION_PCT", "OFFICIAL_CONSUMPTION", "CONSUMPTION_ZONE_FIELD", "CONSUMPTION_FIELD",
                          "CONSUMPTION_UNIT", "OUTPUT", "REPORT", "SPATIAL_RULES"],
    "ocs:heatisland": ["INPUT", "NOMENCLATURE", "VINTAGES", "UNITS", "CELL_SIZE", "ZONES", "COEFFICIENTS",
                       "COOLING_DISTANCE", "MIN_GREEN_AREA_HA", "RESOLUTION", "OUTPUT", "OUTPUT_RASTER"],
    "ocs:friches": ["INPUT", "NOMENCLATURE", "VINTAGES", "INVENTORY", "MIN_AREA_M2", "ZONES", "ZONE_FIELD", "TOWN_HALLS",
                    "STATIONS", "SERVICES", "SERVICES_TYPE_FIELD", "FLOOD", "ZONING", "ZONING_TYPE_FIELD", "PROTECTED",
                    "POLLUTION", "OUTPUT", "OUTPUT_CSV"],
    "ocs:validate": ["INPUT", "NOMENCLATURE", "VINTAGES", "TERRITORY", "CHECKS", "MIN_AREA_M2", "OUTPUT",
                     "OUTPUT_SUMMARY", "REPORT", "FIXED"],
    "ocs:carbon": ["INPUT", "NOMENCLATURE", "VINTAGES", "ZONES", "ZONE_FIELD", "COMMUNES", "COMMUNE_FIELD",
                   "PEDOCLIMATIC_ZONE", "MAPPING", "OUTPUT", "OUTPUT_FLOWS", "OUTPUT_POLYGONS", "REPORT",
                   "ARABLE_SHARE"],
    "ocs:atlas": ["INPUT", "INPUT_AFTER", "NOMENCLATURE", "FROM_VINTAGE", "TO_VINTAGE", "ZONES", "ZONE_FIELD",
                  "NAME_FIELD", "ZONE_FILTER", "FRICHES", "HEAT", "LAYOUT", "LANGUAGE", "OUTPUT_FOLDER", "OUTPUT_PDF",
                  "OUTPUT_TABLE", "OUTPUT_PROJECT"],
}
ENUMS = {
    ("ocs:atlas", "NOMENCLATURE"): 4,
    ("ocs:atlas", "LANGUAGE"): 3,
    ("ocs:reclassify", "NOMENCLATURE"): 4,
    ("ocs:reclassify", "TARGETS"): 10,
    ("ocs:validate", "NOMENCLATURE"): 4,
    ("ocs:validate", "CHECKS"): 7,
    ("ocs:carbon", "NOMENCLATURE"): 4,
}
for _change in ("ocs:changedetection", "ocs:transitionmatrix", "ocs:territoryflows"):
    ENUMS[(_change, "TARGET")] = 12
    ENUMS[(_change, "DIMENSION")] = 3
    ENUMS[(_change, "NOMENCLATURE")] = 4


def test_provider_id_and_name():
    provider = QgsApplication.processingRegistry().providerById("ocs")
    assert provider is not None
    assert provider.name() == "OCS Toolbox"


def test_algorithm_ids():
    provider = QgsApplication.processingRegistry().providerById("ocs")
    ids = {a.id() for a in provider.algorithms()}
    assert set(FROZEN) <= ids
    # any other id must be a shipped model (ocs:<model name>)
    from ocs_toolbox.algorithms.provider import ALGORITHMS

    assert {"ocs:" + a.NAME for a in ALGORITHMS} == set(FROZEN)


def test_parameter_names_and_order():
    registry = QgsApplication.processingRegistry()
    for algorithm_id, names in FROZEN.items():
        algorithm = registry.algorithmById(algorithm_id)
        assert [p.name() for p in algorithm.parameterDefinitions()] == names, algorithm_id


def test_enum_sizes_and_defaults():
    registry = QgsApplication.processingRegistry()
    for (algorithm_id, name), size in ENUMS.items():
        parameter = registry.algorithmById(algorithm_id).parameterDefinition(name)
        assert len(parameter.options()) == size
    urban = registry.algorithmById("ocs:urbanenvelope")
    assert urban.parameterDefinition("BUFFER").defaultValue() == 50.0
    assert urban.parameterDefinition("MIN_AREA_HA").defaultValue() == 10.0
    reclassify = registry.algorithmById("ocs:reclassify")
    from ocs_toolbox.core.rules import TARGETS

    assert TARGETS == ("niv1", "niv2", "niv3", "ocsge", "p4", "p21", "enaf", "artif", "impermeable", "custom")
    assert reclassify.parameterDefinition("TARGETS").allowMultiple()
    from ocs_toolbox.core import changes

    assert changes.TARGETS == ("cs", "us", "pair", "niv1", "niv2", "niv3", "ocsge", "p4", "p21", "enaf", "naf",
                               "artif")
    for algorithm_id in ("ocs:changedetection", "ocs:transitionmatrix", "ocs:territoryflows"):
        algorithm = registry.algorithmById(algorithm_id)
        assert algorithm.parameterDefinition("TARGET").defaultValue() == 7      # 4 postes
        assert algorithm.parameterDefinition("MIN_AREA_M2").defaultValue() == 0.0
        assert algorithm.parameterDefinition("SPATIAL_RULES").defaultValue() is True
    assert registry.algorithmById("ocs:changedetection").parameterDefinition("ONLY_CHANGES").defaultValue() is True
    artif = registry.algorithmById("ocs:artificialisation")
    defaults = {name: artif.parameterDefinition(name).defaultValue() for name in (
        "APPLY_THRESHOLDS", "BUILT_MIN_M2", "OTHER_MIN_M2", "EXEMPT_PARKS", "EXEMPT_PV", "DISSOLVE")}
    assert defaults == {"APPLY_THRESHOLDS": True, "BUILT_MIN_M2": 50.0, "OTHER_MIN_M2": 2500.0,
                        "EXEMPT_PARKS": False, "EXEMPT_PV": False, "DISSOLVE": False}
    heat = registry.algorithmById("ocs:heatisland")
    assert len(heat.parameterDefinition("UNITS").options()) == 4
    assert [heat.parameterDefinition(name).defaultValue() for name in (
        "UNITS", "CELL_SIZE", "COOLING_DISTANCE", "MIN_GREEN_AREA_HA", "RESOLUTION")] == [0, 100.0, 300.0, 2.0, 5.0]
    assert registry.algorithmById("ocs:friches").parameterDefinition("MIN_AREA_M2").defaultValue() == 1000.0
    trajectory = registry.algorithmById("ocs:zantrajectory")
    assert trajectory.parameterDefinition("SPATIAL_RULES").defaultValue() is True
    assert [trajectory.parameterDefinition(name).defaultValue() for name in (
        "REFERENCE_START", "REFERENCE_END", "REDUCTION_PCT")] == ["2011", "2021", 50.0]


def test_every_algorithm_has_help_in_both_languages():
    from ocs_toolbox.algorithms.base import help_text
    from ocs_toolbox.algorithms.provider import ALGORITHMS

    for algorithm in ALGORITHMS:
        english, french = help_text(algorithm.NAME, "en"), help_text(algorithm.NAME, "fr")
        assert len(english) > 500 and len(french) > 500 and english != french, algorithm.NAME


def test_plugin_entry_point_without_iface(ocs_provider):
    import ocs_toolbox

    registry = QgsApplication.processingRegistry()
    registry.removeProvider(ocs_provider)
    assert registry.providerById("ocs") is None
    try:
        plugin = ocs_toolbox.classFactory(None)   # qgis_process passes no iface
        plugin.initProcessing()
        assert registry.algorithmById("ocs:reclassify") is not None
        plugin.initProcessing()                    # a second call registers nothing more
        plugin.unload()
        assert registry.providerById("ocs") is None
    finally:
        from ocs_toolbox.algorithms.provider import OcsProvider

        registry.addProvider(OcsProvider())
