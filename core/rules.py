"""Reclassification rules: from a (couverture, usage) pair to every target class.

The attribute rules are table look-ups (resources/); the spatial rules of the OCS2D methods (US7.0.0 near urban
areas, agricultural structures near the enveloppe urbaine) need neighbours and are applied by
``engines/spatialrules.py`` and ``engines/spatial.py`` with the override values this module provides.
"""
import re
from decimal import ROUND_HALF_UP, Decimal

from . import nomenclature as nom

# Target keys in the order of the TARGETS enum of ocs:reclassify (frozen: saved models store the indexes).
# Distances and areas of the OCS2D spatial rules and of the enveloppe urbaine (the published methods).
US7_DISTANCE = 20.0        # US7.0.0 point-on-surface within 20 m of 4 postes = 1 (CLS 2023 method)
AGRI_DISTANCE = 50.0       # agricultural structures within 50 m of the enveloppe urbaine (CoTech 2024)
ENVELOPE_BUFFER = 50.0     # enveloppe urbaine: +50 m (round joins), union, −50 m (bevel joins)
ENVELOPE_MIN_AREA_HA = 10.0
ENVELOPE_SEGMENTS = 8      # segments per quarter circle of the +50 m buffer (PostGIS's default quad_segs)

TARGETS = ("niv1", "niv2", "niv3", "ocsge", "p4", "p21", "enaf", "artif", "impermeable", "custom")
TARGET_LABELS = {
    "niv1": "Level 1 (couverture and usage)",
    "niv2": "Level 2 (couverture and usage)",
    "niv3": "Level 3 (couverture and usage)",
    "ocsge": "OCS GE equivalent",
    "p4": "4 postes",
    "p21": "21 postes",
    "enaf": "ENAF (and NAF / non-NAF)",
    "artif": "Artificialisation (decree 2023-1096, matrix step)",
    "impermeable": "Imperméabilisation",
    "custom": "Custom table",
}
# Targets defined only on OCS2D (published regional methods).
OCS2D_ONLY = ("p4", "p21", "enaf")

INT, STR = "int", "str"


class OutputField:
    """One output column: ``<key>_<vintage>`` or ``<key>_<vintage>_lib``."""

    __slots__ = ("key", "target", "kind", "is_label", "style")

    def __init__(self, key, target, kind, is_label=False, style=None):
        self.key = key
        self.target = target
        self.kind = kind
        self.is_label = is_label
        self.style = style      # template key of styles.py, for code columns

    def name(self, vintage):
        return "%s_%s%s" % (self.key, vintage, "_lib" if self.is_label else "")


def output_fields(nomenclature_key, targets):
    """Output columns (without vintage) for the requested targets, in a stable order."""
    family = "ocsge" if nomenclature_key == nom.OCSGE else "ocs2d"
    fields = []

    def pair(key, target, kind, style):
        fields.append(OutputField(key, target, kind, False, style))
        fields.append(OutputField(key, target, STR, True))

    for target in TARGETS:
        if target not in targets:
            continue
        if target in ("niv1", "niv2", "niv3"):
            level = target[-1]
            pair("%s_cs" % target, target, STR, "%s_cs_niv%s" % (family, level))
            pair("%s_us" % target, target, STR, "%s_us_niv%s" % (family, level))
        elif target == "ocsge":
            pair("ocsge_cs", target, STR, "ocsge_cs")
            pair("ocsge_us", target, STR, "ocsge_us")
        elif target in ("p4", "p21", "artif", "impermeable"):
            pair(target, target, INT, target)
        elif target == "enaf":
            pair("enaf", target, STR, "enaf")
            pair("naf", target, STR, "naf")
        elif target == "custom":
            pair("custom", target, STR, "custom")
    return fields


def _prefix_match(code, pattern):
    return code == pattern or code.startswith(pattern + ".")


class CustomTable:
    """User table: source code → (class code, label, colour).

    A source is a couverture code, a usage code or a pair (``CS1.1.1/US5``, also ``×``, ``x``, ``|``, ``+``
    or a space between them). Parent codes match their children (``CS1.1`` matches ``CS1.1.2``). When several
    rows match, a pair beats a single code, then the longer code wins.
    """

    def __init__(self, rows):
        self.entries = []
        self.classes = {}
        for position, row in enumerate(rows):
            source, code = row[0], row[1]
            label = row[2] if len(row) > 2 else None
            colour = row[3] if len(row) > 3 else None
            if nom.is_null(source) or nom.is_null(code):
                raise ValueError("row %d: source code and class code are required" % (position + 1))
            cs_pattern = us_pattern = None
            for part in re.split(r"\s*[/×|+]\s*|\s+[xX]\s+|\s+", str(source).strip()):
                norm = nom.normalise_code(part)
                if norm is None:
                    continue
                if norm.startswith("CS"):
                    cs_pattern = norm
                elif norm.startswith("US"):
                    us_pattern = norm
                else:
                    raise ValueError("row %d: '%s' is neither a couverture (CS…) nor a usage (US…) code"
                                     % (position + 1, part))
            code = str(code).strip()
            if code.endswith(".0") and code[:-2].isdigit():
                code = code[:-2]  # parameterAsMatrix gives 1.0 for "1"
            label = None if nom.is_null(label) else str(label)
            colour = None if nom.is_null(colour) else str(colour).strip()
            specificity = (cs_pattern is not None and us_pattern is not None,
                           len(cs_pattern or "") + len(us_pattern or ""))
            self.entries.append((specificity, -position, cs_pattern, us_pattern, code))
            if code not in self.classes:
                self.classes[code] = nom.CodeClass(code, label or code, 1, None, colour)
        self.entries.sort(reverse=True)

    def lookup(self, cs, us):
        for _spec, _pos, cs_pattern, us_pattern, code in self.entries:
            if cs_pattern is not None and (cs is None or not _prefix_match(cs, cs_pattern)):
                continue
            if us_pattern is not None and (us is None or not _prefix_match(us, us_pattern)):
                continue
            return code
        return None


class PairResult:
    """What one (cs, us) pair gives: output values and the flags the caller counts."""

    __slots__ = ("values", "cs_state", "us_state", "spatial_rule", "lookup", "unclassified")

    def __init__(self):
        self.values = ()
        self.cs_state = "ok"        # ok | null | unknown
        self.us_state = "ok"
        self.spatial_rule = None
        self.lookup = None
        self.unclassified = ()      # targets the method leaves empty for a known pair (e.g. some 21 postes)


class Reclassifier:
    """Classify (cs, us) pairs of one nomenclature into the requested targets, with a per-pair cache."""

    def __init__(self, nomenclature_key, targets, custom_rows=None):
        unknown = [t for t in targets if t not in TARGETS]
        if unknown:
            raise ValueError("unknown target(s): %s" % ", ".join(unknown))
        if nomenclature_key == nom.OCSGE:
            wrong = [t for t in targets if t in OCS2D_ONLY]
            if wrong:
                raise ValueError(
                    "%s are defined by the Hauts-de-France methods on OCS2D codes only, not on OCS GE"
                    % ", ".join(TARGET_LABELS[t] for t in wrong))
        if "custom" in targets and not custom_rows:
            raise ValueError("the custom target needs a custom table")
        self.key = nomenclature_key
        self.nomenclature = nom.get_nomenclature(nomenclature_key)
        self.targets = [t for t in TARGETS if t in targets]
        self.fields = output_fields(nomenclature_key, self.targets)
        self.custom = CustomTable(custom_rows) if "custom" in targets else None
        self._cache = {}
        if nomenclature_key == nom.OCS2D_NPDC:
            self._to2021 = nom.legacy_to_2021()
        else:
            self._to2021 = None

    # -- helpers -------------------------------------------------------------------------------------
    def modern_codes(self, cs, us):
        """The OCS2D 2021 codes of a pair (legacy codes are recoded; OCS GE returns None)."""
        if self.key == nom.OCSGE:
            return None, None
        if self._to2021 is not None:
            return self._to2021["cs"].get(cs), self._to2021["us"].get(us)
        return cs, us

    def ocsge_codes(self, cs, us):
        """OCS GE equivalents of a pair (Geo2France crosswalk for OCS2D)."""
        if self.key == nom.OCSGE:
            return cs, us
        cs21, us21 = self.modern_codes(cs, us)
        crosswalk = nom.ocs2d_to_ocsge()
        return crosswalk["cs"].get(cs21), crosswalk["us"].get(us21)

    def artif_value(self, cs, us):
        if self.key == nom.OCSGE:
            return nom.artif_matrix().get((cs, us))
        cs21, us21 = self.modern_codes(cs, us)
        ge_cs, ge_us = self.ocsge_codes(cs, us)
        choice = nom.artif_crosswalk_choices().get(us21)
        if choice is not None:
            ge_us = choice[0]
        return nom.artif_matrix().get((ge_cs, ge_us))

    def impermeable_value(self, cs):
        if self.key == nom.OCSGE:
            return 1 if cs in ("CS1.1.1.1", "CS1.1.1.2") else 0
        cs21, _us = self.modern_codes(cs, None)
        return 1 if cs21 in ("CS1.1.1", "CS1.1.2") else 0

    # -- main entry ----------------------------------------------------------------------------------
    def classify(self, cs_raw, us_raw):
        """PairResult for raw field values (cached on the raw values)."""
        key = (cs_raw if not nom.is_null(cs_raw) else None, us_raw if not nom.is_null(us_raw) else None)
        try:
            return self._cache[key]
        except KeyError:
            pass
        except TypeError:  # unhashable value
            key = (str(cs_raw), str(us_raw))
        result = self._classify(nom.normalise_code(key[0]), nom.normalise_code(key[1]))
        self._cache[key] = result
        return result

    def _classify(self, cs, us):
        n = self.nomenclature
        result = PairResult()
        cs_class = n.cs.get(cs) if cs else None
        us_class = n.us.get(us) if us else None
        result.cs_state = "null" if cs is None else ("ok" if cs_class is not None and cs_class.leaf else "unknown")
        result.us_state = "null" if us is None else ("ok" if us_class is not None and us_class.leaf else "unknown")
        pair_ok = result.cs_state == "ok" and result.us_state == "ok"
        lookup = None
        if pair_ok and self.key != nom.OCSGE:
            lookup = nom.ocs2d_lookup().get(self.modern_codes(cs, us))
        result.lookup = lookup
        result.spatial_rule = lookup.spatial_rule if lookup is not None else None
        unclassified = []
        values = []
        derived = {}

        def derived_label(target, code):
            if code is None:
                return None
            return nom.derived_classes(target)[code].label

        for field in self.fields:
            if field.is_label:
                values.append(derived.get(field.key))
                continue
            value = label = None
            key = field.key
            if key.startswith("niv"):
                level = int(key[3])
                dim_class = cs_class if key.endswith("_cs") else us_class
                dimension = "cs" if key.endswith("_cs") else "us"
                if dim_class is not None:
                    anc = n.ancestor(dimension, dim_class.code, level)
                    if anc is not None:
                        value, label = anc.code, anc.label
            elif key in ("ocsge_cs", "ocsge_us"):
                dim_ok = result.cs_state == "ok" if key == "ocsge_cs" else result.us_state == "ok"
                if dim_ok:
                    ge_cs, ge_us = self.ocsge_codes(cs if key == "ocsge_cs" else None,
                                                    us if key == "ocsge_us" else None)
                    value = ge_cs if key == "ocsge_cs" else ge_us
                    ge = nom.get_nomenclature(nom.OCSGE).classes(key[-2:]).get(value)
                    label = ge.label if ge else None
            elif key in ("p4", "p21", "enaf", "naf"):
                if lookup is not None:
                    value = getattr(lookup, key)
                    if value is None:
                        unclassified.append(key)
                    label = derived_label(key, value)
            elif key == "artif":
                if pair_ok:
                    value = self.artif_value(cs, us)
                    label = derived_label("artif", value)
            elif key == "impermeable":
                if result.cs_state == "ok":
                    value = self.impermeable_value(cs)
                    label = derived_label("impermeable", value)
            elif key == "custom":
                value = self.custom.lookup(cs, us)
                if value is None:
                    if pair_ok:
                        unclassified.append("custom")
                else:
                    label = self.custom.classes[value].label
            values.append(value)
            derived[key] = label
        result.values = tuple(values)
        result.unclassified = tuple(unclassified)
        return result

    def near_values(self, result):
        """Values after a spatial rule fires on a pair (same layout as ``result.values``)."""
        lookup = result.lookup
        values = list(result.values)
        overrides = {}
        if lookup.p4_near is not None:
            overrides["p4"] = lookup.p4_near
        if lookup.p21_near is not None:
            overrides["p21"] = lookup.p21_near
        if lookup.enaf_near is not None:
            overrides["enaf"] = lookup.enaf_near
            overrides["naf"] = nom.enaf_family(lookup.enaf_near)
        for index, field in enumerate(self.fields):
            if field.key in overrides:
                code = overrides[field.key]
                if field.is_label:
                    values[index] = nom.derived_classes(field.key)[code].label
                else:
                    values[index] = code
        return tuple(values)


# -- enveloppe urbaine ---------------------------------------------------------------------------------

def _ocs2d_envelope(cs, us):
    """Regional definition (notes section 3.7): does an OCS2D 2021 polygon belong to the urban fabric?"""
    if cs is None or us is None:
        return False
    us1 = us[:3]
    if cs.startswith("CS1.1.") and us1 not in ("US1", "US4", "US7"):
        return True
    if us1 in ("US2", "US3", "US5"):
        return True
    if us in ("US6.1.1", "US6.2.1", "US6.2.2", "US6.2.3"):
        return True
    if us[:5] in ("US4.3", "US4.4") and not cs.startswith("CS3"):
        return True
    if us[:5] in ("US4.1", "US4.2") and cs == "CS1.1.1":
        return True
    return False


def _ocsge_envelope(cs, us):
    """[derived] The regional definition carried over to OCS GE codes through the crosswalk."""
    if cs is None or us is None:
        return False
    if cs.startswith("CS1.1.1.") and not (us.startswith("US1") or us.startswith("US4")
                                          or us in ("US6.3", "US6.6")):
        return True
    if us in ("US2", "US3", "US235", "US5", "US6.1", "US6.2"):
        return True
    if us in ("US4.1.3", "US4.1.4") and cs != "CS1.2.2":
        return True
    if us in ("US4.1.1", "US4.1.2") and cs == "CS1.1.1.1":
        return True
    return False


def envelope_predicate(nomenclature_key):
    """A function (cs, us) → bool on normalised codes of ``nomenclature_key``."""
    if nomenclature_key == nom.OCSGE:
        return _ocsge_envelope
    if nomenclature_key == nom.OCS2D_NPDC:
        legacy = nom.legacy_to_2021()
        return lambda cs, us: _ocs2d_envelope(legacy["cs"].get(cs), legacy["us"].get(us))
    return _ocs2d_envelope


# -- the enveloppe urbaine's area filters (Geo2France, indicateurs/enaf/calcul_enaf_ocs2d_multidate.sql) --------

def sql_round_ha(area_m2, digits=2):
    """``ROUND((area / 10000)::numeric, 2)`` as PostgreSQL computes it: the double converted to numeric with 15
    significant digits, then rounded half away from zero."""
    value = Decimal("%.15g" % (area_m2 / 10000.0))
    return float(value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def _min_ha(min_area_m2):
    return round(min_area_m2 / 10000.0, 10)


def envelope_block_kept(area_m2, min_area_m2):
    """Phase 1: a closed block (one connected part of the +50 m dilation, eroded by −50 m) is kept when its eroded
    area (all its pieces together) in hectares rounded to 0.01 reaches the minimum."""
    return sql_round_ha(area_m2) >= _min_ha(min_area_m2)


def envelope_smallest_block_m2(min_area_m2):
    """The smallest eroded area (m²) a kept block can have: the minimum less the rounding to 0.01 ha."""
    return max(0.0, (_min_ha(min_area_m2) - 0.005) * 10000.0)


def envelope_parts_kept(areas_m2, min_area_m2):
    """Phase 2.5: indexes of the pieces of a kept block (holes filled) whose area, not rounded, reaches the minimum.
    When none does, every piece: the script's ``UPDATE … FROM (… GROUP BY gid)`` has no row for such a block,
    which keeps its geometry as it was."""
    kept = [i for i, area in enumerate(areas_m2) if area >= min_area_m2]
    return kept if kept else list(range(len(areas_m2)))
