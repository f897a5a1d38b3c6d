"""Help documents (resources/help/<lang>/<algorithm>.html): present, complete and simple enough for Processing.

No QGIS import: runs with `pytest -p no:qgis`.
"""
import os
import re
from html.parser import HTMLParser

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
# tests/conftest.py puts the plugin on sys.path as ocs_toolbox

HELP_DIR = os.path.join(ROOT, "resources", "help")
LANGUAGES = ("en", "fr")
# Parameters shared by the change algorithms (algorithms/changes.py).
COMMON = ("INPUT", "INPUT_AFTER", "FROM_VINTAGE", "TO_VINTAGE", "TARGET", "DIMENSION", "NOMENCLATURE", "ZONES",
          "ZONE_FIELD", "NAME_FIELD", "MIN_AREA_M2")
# Algorithm name → its parameter names (frozen: saved models and qgis_process calls use them).
ALGORITHMS = {
    "reclassify": ("INPUT", "NOMENCLATURE", "VINTAGES", "CS_FIELD", "US_FIELD", "TARGETS", "CUSTOM_TABLE", "OUTPUT"),
    "urbanenvelope": ("INPUT", "VINTAGES", "BUFFER", "MIN_AREA_HA", "OUTPUT"),
    "applystyle": ("INPUT", "FIELD", "TEMPLATE", "OUTPUT_QML"),
    "changedetection": COMMON + ("ONLY_CHANGES", "OUTPUT", "SPATIAL_RULES"),
    "transitionmatrix": COMMON + ("OUTPUT", "REPORT", "SPATIAL_RULES"),
    "territoryflows": COMMON + ("OUTPUT", "SPATIAL_RULES"),
    "artificialisation": ("INPUT", "NOMENCLATURE", "VINTAGES", "APPLY_THRESHOLDS", "BUILT_MIN_M2", "OTHER_MIN_M2",
                          "EXEMPT_PARKS", "EXEMPT_PV", "DISSOLVE", "OUTPUT"),
    "zantrajectory": ("INPUT", "INPUT_AFTER", "ZONES", "ZONE_FIELD", "NAME_FIELD", "REFERENCE_START", "REFERENCE_END",
                      "REDUCTION_PCT", "OFFICIAL_CONSUMPTION", "CONSUMPTION_ZONE_FIELD", "CONSUMPTION_FIELD",
                      "CONSUMPTION_UNIT", "OUTPUT", "REPORT", "SPATIAL_RULES"),
    "heatisland": ("INPUT", "NOMENCLATURE", "VINTAGES", "UNITS", "CELL_SIZE", "ZONES", "COEFFICIENTS",
                   "COOLING_DISTANCE", "MIN_GREEN_AREA_HA", "RESOLUTION", "OUTPUT", "OUTPUT_RASTER"),
    "friches": ("INPUT", "NOMENCLATURE", "VINTAGES", "INVENTORY", "MIN_AREA_M2", "ZONES", "ZONE_FIELD", "TOWN_HALLS",
                "STATIONS", "SERVICES", "SERVICES_TYPE_FIELD", "FLOOD", "ZONING", "ZONING_TYPE_FIELD", "PROTECTED",
                "POLLUTION", "OUTPUT", "OUTPUT_CSV"),
    "validate": ("INPUT", "NOMENCLATURE", "VINTAGES", "TERRITORY", "CHECKS", "MIN_AREA_M2", "OUTPUT", "OUTPUT_SUMMARY",
                 "REPORT", "FIXED"),
    "carbon": ("INPUT", "NOMENCLATURE", "VINTAGES", "ZONES", "ZONE_FIELD", "COMMUNES", "COMMUNE_FIELD",
               "PEDOCLIMATIC_ZONE", "MAPPING", "OUTPUT", "OUTPUT_FLOWS", "OUTPUT_POLYGONS", "REPORT", "ARABLE_SHARE"),
    "atlas": ("INPUT", "INPUT_AFTER", "NOMENCLATURE", "FROM_VINTAGE", "TO_VINTAGE", "ZONES", "ZONE_FIELD", "NAME_FIELD",
              "ZONE_FILTER", "FRICHES", "HEAT", "LAYOUT", "LANGUAGE", "OUTPUT_FOLDER", "OUTPUT_PDF", "OUTPUT_TABLE",
              "OUTPUT_PROJECT"),
}
# Shipped model → its inputs and outputs (frozen ids, tests/qgis/test_models.py), named in its help.
MODELS = {
    "ocs2d_postes_enaf_enveloppe": ("ocs2d", "vintages", "reclassify:postes_enaf", "urbanenvelope:enveloppe_urbaine"),
    "diagnostic_changements": ("ocs2d", "communes", "insee", "compare", "reclassify:postes_enaf",
                               "changedetection:changements", "transitionmatrix:matrices", "transitionmatrix:rapport",
                               "territoryflows:flux_communes"),
    "diagnostic_zan": ("ocs2d", "communes", "insee", "validate:controle", "validate:synthese_controle",
                       "reclassify:postes_enaf", "artificialisation:artificialisation",
                       "territoryflows:flux_communes", "zantrajectory:trajectoire_zan", "zantrajectory:rapport_zan"),
    "diagnostic_surchauffe": ("ocs", "communes", "vintages", "grille:surchauffe_grille",
                              "communes:surchauffe_communes"),
    "observatoire_friches": ("ocs", "communes", "inventaire", "mairies", "gares", "services", "inondation", "plu",
                             "protege", "pollution", "friches:friches", "friches:friches_cnig"),
    "diagnostic_carbone": ("ocs2d", "communes", "insee", "reclassify:postes_enaf", "carbon:stocks_carbone",
                           "carbon:flux_carbone", "carbon:rapport_carbone"),
}
MAX_CHARS = 7000  # the help panel stays readable: one screen or two
# What the Processing help panel (QTextBrowser) renders well.
ALLOWED_TAGS = {"p", "h3", "h4", "ul", "ol", "li", "b", "i", "code", "table", "tr", "th", "td", "br"}
VOID_TAGS = {"br"}
CASES = [(lang, name) for name in ALGORITHMS for lang in LANGUAGES]
MODEL_CASES = [(lang, name) for name in MODELS for lang in LANGUAGES]


def read_help(lang, name):
    with open(os.path.join(HELP_DIR, lang, name + ".html"), encoding="utf-8") as handle:
        return handle.read()


class _TagChecker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors = [], []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.errors.append("tag <%s> not allowed" % tag)
        if tag not in VOID_TAGS:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("</%s> closes <%s>" % (tag, self.stack[-1] if self.stack else "nothing"))
            return
        self.stack.pop()


@pytest.mark.parametrize("lang,name", CASES)
def test_help_file_exists_and_is_not_empty(lang, name):
    path = os.path.join(HELP_DIR, lang, name + ".html")
    assert os.path.isfile(path), path
    assert read_help(lang, name).strip()


@pytest.mark.parametrize("lang,name", CASES)
def test_help_mentions_every_parameter(lang, name):
    text = read_help(lang, name)
    missing = [p for p in ALGORITHMS[name] if not re.search(r"(?<![A-Z_])%s(?![A-Z_])" % p, text)]
    assert not missing, "%s/%s.html does not mention %s" % (lang, name, ", ".join(missing))


@pytest.mark.parametrize("lang,name", MODEL_CASES)
def test_model_help_names_every_input_and_output(lang, name):
    text = read_help(lang, name)
    missing = [p for p in MODELS[name] if "(<code>%s</code>" % p not in text]
    assert not missing, "%s/%s.html does not name %s" % (lang, name, ", ".join(missing))


@pytest.mark.parametrize("lang,name", CASES + MODEL_CASES)
def test_help_is_short_and_simple_html(lang, name):
    text = read_help(lang, name)
    assert len(text) <= MAX_CHARS, "%s/%s.html has %d characters" % (lang, name, len(text))
    checker = _TagChecker()
    checker.feed(text)
    checker.close()
    assert not checker.errors, checker.errors
    assert not checker.stack, "unclosed: %s" % checker.stack
    assert "<yyyy>" not in text, "write &lt;yyyy&gt; (a bare <yyyy> is an unknown tag)"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_reclassify_help_names_every_output_field(lang):
    from ocs_toolbox.core import nomenclature as nom
    from ocs_toolbox.core import rules

    text = read_help(lang, "reclassify")
    keys = {f.key for key in nom.NOMENCLATURES for f in rules.output_fields(key, rules.TARGETS)}
    missing = sorted(k for k in keys if not re.search(r"(?<![a-z0-9_])%s_" % re.escape(k), text))
    assert not missing, missing
    assert "_lib" in text
    for code in nom.ENAF_CODES:
        assert re.search(r"\b%s\b" % code, text), code


@pytest.mark.parametrize("lang", LANGUAGES)
def test_urbanenvelope_help_names_output_fields_and_defaults(lang):
    text = read_help(lang, "urbanenvelope")
    for field in ("id", "millesime", "surface_ha"):
        assert "<code>%s</code>" % field in text, field
    assert "50" in text and "10 ha" in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_validate_help_names_every_check_key_and_field(lang):
    from ocs_toolbox.core import validation

    text = read_help(lang, "validate")
    for key in validation.CONTROLE_KEYS + ("gravite", "fid_source", "millesime", "code_cs", "code_us", "surface_m2",
                                           "message", "nombre", "part_territoire_pct"):
        assert "<code>%s</code>" % key in text, key
    for unit in ("50 m²", "300 m²", "200 m²", "500 m²"):
        assert unit in text, unit


def test_help_languages_have_the_same_documents():
    documents = {lang: sorted(os.path.splitext(f)[0] for f in os.listdir(os.path.join(HELP_DIR, lang))
                              if f.endswith(".html")) for lang in LANGUAGES}
    assert documents["fr"] == documents["en"]
    assert set(ALGORITHMS) | set(MODELS) <= set(documents["en"])
