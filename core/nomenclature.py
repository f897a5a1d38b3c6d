"""Nomenclature registry: code lists, labels, colours and rule tables read from ``resources/``.

Plain Python (no QGIS import) so that unit tests can exercise every rule without a QGIS application.
All tables are CSV files shipped under ``resources/``; see ``resources/README.md`` for their sources.
"""
import csv
import functools
import os
import re

RESOURCES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "resources")

OCS2D_2021 = "ocs2d_2021"
OCS2D_NPDC = "ocs2d_npdc"
OCSGE = "ocsge"
NOMENCLATURES = (OCS2D_2021, OCS2D_NPDC, OCSGE)
NOMENCLATURE_LABELS = {
    OCS2D_2021: "OCS2D Hauts-de-France 2021",
    OCS2D_NPDC: "OCS2D Nord-Pas-de-Calais 2005/2015 (legacy)",
    OCSGE: "OCS GE (IGN)",
}

# ENAF classes: code, label as in the regional lookup, family.
ENAF_CODES = ("N", "A", "F", "Uh", "Ue", "Ui", "Ua")


def read_table(relpath):
    """Rows of a ``;``-separated UTF-8 table under resources/, skipping ``#`` comment lines."""
    path = os.path.join(RESOURCES, relpath)
    with open(path, encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter=";"))


_CODE_RE = re.compile(r"^(CS|US)\s*([0-9][0-9.]*)$")


def is_null(value):
    """True for None, QVariant NULL (duck-typed, so no QGIS import) and blank strings."""
    if value is None:
        return True
    is_null_method = getattr(value, "isNull", None)
    if callable(is_null_method):
        try:
            if is_null_method():
                return True
        except TypeError:
            pass
    if isinstance(value, str) and not value.strip():
        return True
    return False


def plain(value):
    """None for NULL values (QVariant NULL is unhashable), the value otherwise."""
    return None if is_null(value) else value


@functools.lru_cache(maxsize=65536)
def _normalise_text(text):
    code = text.strip().upper().replace(" ", "").replace(",", ".").replace("_", ".")
    code = code.rstrip(".")
    match = _CODE_RE.match(code)
    if not match:
        return code
    return match.group(1) + match.group(2)


def normalise_code(value):
    """Normalise a couverture/usage code as found in the data.

    ``" cs 1.1.1 "`` → ``"CS1.1.1"``, ``"CS 1,1,1"`` → ``"CS1.1.1"``, NULL or blank → ``None``.
    Anything else is upper-cased with spaces removed and returned; the caller decides whether it is known.
    """
    if is_null(value):
        return None
    return _normalise_text(str(value))


class CodeClass:
    """One class of a nomenclature: a code with its label, level, parent and colour."""

    __slots__ = ("code", "label", "level", "parent", "colour", "leaf")

    def __init__(self, code, label, level, parent, colour, leaf=True):
        self.code = code
        self.label = label
        self.level = level
        self.parent = parent
        self.colour = colour
        self.leaf = leaf

    def __repr__(self):
        return "CodeClass(%r, %r)" % (self.code, self.label)


class Nomenclature:
    """Couverture (cs) and usage (us) classes of one nomenclature, every level."""

    def __init__(self, key, cs, us):
        self.key = key
        self.cs = cs  # code -> CodeClass
        self.us = us

    @property
    def label(self):
        return NOMENCLATURE_LABELS[self.key]

    def classes(self, dimension):
        return self.cs if dimension == "cs" else self.us

    def leaves(self, dimension):
        return [c for c in self.classes(dimension).values() if c.leaf]

    def ancestor(self, dimension, code, level):
        """The class at ``level`` (1..n) above ``code`` or the code itself when it is already at or above it."""
        classes = self.classes(dimension)
        cls = classes.get(code)
        while cls is not None and cls.level > level and cls.parent:
            cls = classes.get(cls.parent)
        return cls


def _ocs2d_classes(relpath):
    classes = {}
    for row in read_table(relpath):
        for level in (1, 2, 3):
            code = row["code%d" % level]
            if code in classes:
                continue
            parent = row["code%d" % (level - 1)] if level > 1 else None
            classes[code] = CodeClass(code, row["libelle%d" % level], level, parent,
                                      row["hex_niv%d" % level].upper(), leaf=(level == 3))
    return classes


def _ocsge_classes(relpath):
    classes = {}
    for row in read_table(relpath):
        classes[row["code"]] = CodeClass(row["code"], row["libelle"], int(row["niveau"]),
                                         row["parent"] or None, row["hex"].upper(),
                                         leaf=row["is_leaf"] == "1")
    return classes


@functools.lru_cache(maxsize=None)
def get_nomenclature(key):
    """The registry entry for ``key`` (one of NOMENCLATURES)."""
    if key == OCS2D_2021:
        return Nomenclature(key, _ocs2d_classes("nomenclatures/ocs2d_couvert_2021.csv"),
                            _ocs2d_classes("nomenclatures/ocs2d_usage_2021.csv"))
    if key == OCSGE:
        return Nomenclature(key, _ocsge_classes("nomenclatures/ocsge_couverture.csv"),
                            _ocsge_classes("nomenclatures/ocsge_usage.csv"))
    if key == OCS2D_NPDC:
        modern = get_nomenclature(OCS2D_2021)
        cs, us = {}, {}
        for row in read_table("nomenclatures/ocs2d_npdc_legacy.csv"):
            target = cs if row["type"] == "cs" else us
            code = row["code"]
            parent2 = code[:5]
            target[code] = CodeClass(code, row["libelle"], 3, parent2, None, leaf=True)
            for level, pcode in ((1, code[:3]), (2, parent2)):
                if pcode not in target:
                    source = modern.classes(row["type"]).get(pcode)
                    label = source.label if source else pcode
                    target[pcode] = CodeClass(pcode, label, level, code[:3] if level == 2 else None,
                                              source.colour if source else None, leaf=False)
        # colours of leaves: those of the 2021 code they are recoded to
        legacy_map = legacy_to_2021()
        for dimension, target in (("cs", cs), ("us", us)):
            for cls in target.values():
                if cls.leaf:
                    modern_cls = modern.classes(dimension).get(legacy_map[dimension][cls.code])
                    cls.colour = modern_cls.colour if modern_cls else None
        return Nomenclature(key, cs, us)
    raise KeyError(key)


@functools.lru_cache(maxsize=None)
def legacy_to_2021():
    """{'cs': {legacy code: 2021 code}, 'us': {...}} for the Nord-Pas-de-Calais legacy list."""
    result = {"cs": {}, "us": {}}
    for row in read_table("nomenclatures/ocs2d_npdc_legacy.csv"):
        result[row["type"]][row["code"]] = row["code_2021"]
    return result


@functools.lru_cache(maxsize=None)
def ocs2d_to_ocsge():
    """Geo2France's crosswalk OCS2D 2021 → OCS GE: {'cs': {...}, 'us': {...}}."""
    result = {"cs": {}, "us": {}}
    for dimension, relpath in (("cs", "nomenclatures/ocs2d_couvert_2021.csv"),
                               ("us", "nomenclatures/ocs2d_usage_2021.csv")):
        for row in read_table(relpath):
            result[dimension][row["code3"]] = row["ocsge_equiv_geo2france"]
    return result


@functools.lru_cache(maxsize=None)
def artif_crosswalk_choices():
    """Usage codes whose OCS GE equivalent is overridden for the artificialisation matrix: {us: (ocsge_us, reason)}."""
    return {row["us"]: (row["ocsge_us"], row["reason"])
            for row in read_table("matrices/ocs2d_artif_crosswalk_choices.csv")}


@functools.lru_cache(maxsize=None)
def artif_matrix():
    """Decree 2023-1096 matrix step: {(ocsge_cs, ocsge_us): 0 or 1} for the 14 × 20 leaf pairs."""
    matrix = {}
    for row in read_table("matrices/ocsge_artificialisation_decret_2023.csv"):
        us = row.pop("code_us")
        for cs, value in row.items():
            matrix[(cs, us)] = int(value)
    return matrix


@functools.lru_cache(maxsize=None)
def derived_classes(target):
    """Classes of a derived target as an ordered {code: CodeClass} (p4, p21, enaf, naf, artif, impermeable)."""
    classes = {}
    if target in ("p4", "p21"):
        relpath = "nomenclatures/ocs2d_4postes.csv" if target == "p4" else "nomenclatures/ocs2d_21postes.csv"
        for row in read_table(relpath):
            code = int(row["code"])
            classes[code] = CodeClass(code, row["libelle"], 1, None, row["hex"].upper())
    elif target == "enaf":
        for row in read_table("nomenclatures/ocs2d_enaf.csv"):
            classes[row["code"]] = CodeClass(row["code"], row["libelle"], 1, row["famille"], row["hex"].upper())
    elif target == "naf":
        # Colours of Geo2France's style_enaf_binaire.qml (notes section 3.7).
        classes["NAF"] = CodeClass("NAF", "Espaces naturels, agricoles et forestiers", 1, None, "#A9F270")
        classes["Non-NAF"] = CodeClass("Non-NAF", "Espaces consommés (non NAF)", 1, None, "#8498A8")
    elif target == "artif":
        classes[1] = CodeClass(1, "Artificialisée", 1, None, "#E6004D")
        classes[0] = CodeClass(0, "Non artificialisée", 1, None, "#A6E6A6")
    elif target == "impermeable":
        classes[1] = CodeClass(1, "Imperméabilisée", 1, None, "#FF377A")
        classes[0] = CodeClass(0, "Non imperméabilisée", 1, None, "#E6E6E6")
    else:
        raise KeyError(target)
    return classes


@functools.lru_cache(maxsize=None)
def _english_labels():
    return {row["libelle"]: row["label_en"] for row in read_table("nomenclatures/labels_en.csv")}


def label_in(label, language):
    """A class label in the report's language: the French label, or its English translation
    (resources/nomenclatures/labels_en.csv) for ``en``; a label without a translation is kept as it is."""
    if label is None or not str(language or "").lower().startswith("en"):
        return label
    return _english_labels().get(str(label).strip(), label)


@functools.lru_cache(maxsize=None)
def enaf_label_to_code():
    """'Agricole' → 'A', … as the regional lookup spells the classes."""
    return {cls.label: code for code, cls in derived_classes("enaf").items()}


class LookupRow:
    __slots__ = ("p4", "p21", "enaf", "naf", "spatial_rule", "p4_near", "p21_near", "enaf_near")


@functools.lru_cache(maxsize=None)
def ocs2d_lookup():
    """The complete OCS2D 2021 lookup {(cs, us): LookupRow} (4 postes, 21 postes, ENAF, spatial rules)."""
    labels = enaf_label_to_code()

    def as_int(text):
        return int(text) if text else None

    table = {}
    for row in read_table("matrices/ocs2d_2021_postes_enaf_lookup.csv"):
        entry = LookupRow()
        entry.p4 = as_int(row["p4"])
        entry.p21 = as_int(row["p21"])
        entry.enaf = labels[row["enaf"]] if row["enaf"] else None
        entry.naf = row["naf"] or None
        entry.spatial_rule = row["spatial_rule"] or None
        entry.p4_near = as_int(row["p4_if_near"])
        entry.p21_near = as_int(row["p21_if_near"])
        entry.enaf_near = labels[row["enaf_if_near"]] if row["enaf_if_near"] else None
        table[(row["cs"], row["us"])] = entry
    return table


def enaf_family(enaf_code):
    """'NAF' or 'Non-NAF' for an ENAF class code."""
    if enaf_code is None:
        return None
    return derived_classes("enaf")[enaf_code].parent
