"""Change detection between vintages: what to compare, the type of each change, matrices and flows.

Plain Python (no QGIS): ``engines/changes.py`` reads the layers, cuts the geometries and hands areas to the
accumulators here; the unit tests call them directly.

Vocabulary
- a *side* is the state of a piece of land at one vintage: its code for the compared target plus two statuses
  that do not depend on the target: artificialised (decree 2023-1096, matrix step) and NAF / non-NAF with its
  ENAF class (OCS2D CoTech 2024 method; a derived rule on OCS GE, see ``ocsge_enaf``);
- a *period* is a pair of vintages (from, to).
"""
import re

from . import nomenclature as nom
from . import rules

# Targets of the TARGET enum of the change algorithms (frozen: saved models store the indexes).
TARGETS = ("cs", "us", "pair", "niv1", "niv2", "niv3", "ocsge", "p4", "p21", "enaf", "naf", "artif")
# Targets whose code can be read on either dimension (DIMENSION enum: couverture, usage, pair).
DIMENSIONS = ("cs", "us", "pair")
LEVEL_TARGETS = ("niv1", "niv2", "niv3", "ocsge")
# Targets defined on OCS2D codes only (published regional methods).
OCS2D_ONLY = ("p4", "p21", "enaf")
# Targets that compare two different nomenclatures meaningfully (both sides end in the same classes).
CROSS_NOMENCLATURE = ("ocsge", "naf", "artif")

UNKNOWN = "inconnu"              # NULL code, or a code absent from the nomenclature
OUTSIDE = "hors couverture"      # land covered by one of the two vintages only (two-layer mode)
OUTSIDE_ZONES = "hors zones"     # land outside every zone

# type_changement values (data values, in French whatever the interface language) and their colours.
CHANGE_TYPES = (
    ("artificialisation", "#E6004D"),
    ("désartificialisation", "#38A800"),
    ("consommation ENAF", "#FF8C00"),
    ("renaturation", "#1E7B3C"),
    ("densification", "#8400A8"),
    ("mutation agricole/naturelle", "#F2D64B"),
    ("aucun changement", "#DCDCDC"),
    ("inconnu", "#000000"),
    ("hors couverture", "#FFFFFF"),
)
ARTIFICIALISATION, DESARTIFICIALISATION, CONSOMMATION, RENATURATION, DENSIFICATION, MUTATION, \
    NO_CHANGE, TYPE_UNKNOWN, TYPE_OUTSIDE = (name for name, _colour in CHANGE_TYPES)

# ENAF class after consumption → destination column of ocs:territoryflows.
DESTINATIONS = (("Uh", "habitat"), ("Ue", "activite"), ("Ui", "infra"), ("Ua", "autre"))

UNKNOWN_COLOUR = "#000000"
OUTSIDE_COLOUR = "#FFFFFF"


class Side:
    """One vintage of a piece of land: code, label and colour for the target, and the two statuses."""

    __slots__ = ("code", "label", "colour", "artif", "enaf", "naf", "cs_state", "us_state", "by_default")

    def __init__(self, code, label, colour=None, artif=None, enaf=None, states=("ok", "ok")):
        """``states``: (couverture state, usage state), each ok | null | unknown (outside: land outside)."""
        self.code = code
        self.label = label
        self.colour = colour
        self.artif = artif          # 1, 0 or None (unknown)
        self.enaf = enaf            # A, F, N, Uh, Ue, Ui, Ua or None
        self.naf = nom.enaf_family(enaf) if enaf else None  # "NAF", "Non-NAF" or None
        self.cs_state, self.us_state = states    # ok | null | unknown
        self.by_default = False     # attribute default used where the method has a spatial rule

    def __repr__(self):
        return "Side(%r, artif=%r, enaf=%r)" % (self.code, self.artif, self.enaf)


OUTSIDE_SIDE = Side(OUTSIDE, OUTSIDE, OUTSIDE_COLOUR, states=("outside", "outside"))


def ocsge_enaf(cs, us):
    """[derived] ENAF class of an OCS GE pair, by usage (no published OCS GE method; Hauts-de-France classes).

    US1.1 agriculture, US1.5 other primary production, US1.4 fishing/aquaculture → A; US1.2 forestry → F;
    US1.3 extraction, US6.3 no usage → N; US5 → Uh; US2, US3, US235 → Ue; US4.x → Ui; US6.1, US6.2 → Ua;
    US6.6 unknown usage → N on a vegetated or natural cover (CS2.x, CS1.2.x), Ua otherwise.
    """
    if us is None:
        return None
    if us in ("US1.1", "US1.4", "US1.5"):
        return "A"
    if us == "US1.2":
        return "F"
    if us in ("US1.3", "US6.3"):
        return "N"
    if us == "US5":
        return "Uh"
    if us in ("US2", "US3", "US235"):
        return "Ue"
    if us.startswith("US4"):
        return "Ui"
    if us in ("US6.1", "US6.2"):
        return "Ua"
    if us == "US6.6":
        if cs is None:
            return None
        return "N" if cs.startswith("CS2") or cs.startswith("CS1.2") else "Ua"
    return None


class SideClassifier:
    """(cs, us) raw values of one nomenclature → Side for one target, with a cache.

    ``classify(cs, us, pre)`` takes an optional precomputed value of the target (e.g. ``p4_2021`` written by
    ocs:reclassify with the spatial rules) and of the ENAF class; they win over the attribute look-up.
    """

    def __init__(self, nomenclature_key, target, dimension="cs"):
        if target not in TARGETS:
            raise ValueError("unknown target: %s" % target)
        if nomenclature_key == nom.OCSGE and target in OCS2D_ONLY:
            raise ValueError("%s is defined on OCS2D codes only" % target)
        self.key = nomenclature_key
        self.target = target
        self.dimension = dimension
        self.nomenclature = nom.get_nomenclature(nomenclature_key)
        self._rules = rules.Reclassifier(nomenclature_key, ["artif"])
        self._cache = {}

    # -- codes ---------------------------------------------------------------------------------------
    def _dimension_code(self, dimension, code, level):
        """(code, label, colour) of one dimension at ``level`` (None = leaf) or for the OCS GE equivalent."""
        if self.target == "ocsge":
            if self.key != nom.OCSGE:
                cs_code = code if dimension == "cs" else None
                us_code = code if dimension == "us" else None
                ge_cs, ge_us = self._rules.ocsge_codes(cs_code, us_code)
                code = ge_cs if dimension == "cs" else ge_us
            cls = nom.get_nomenclature(nom.OCSGE).classes(dimension).get(code)
        elif level is None:
            cls = self.nomenclature.classes(dimension).get(code)
        else:
            cls = self.nomenclature.ancestor(dimension, code, level)
        if cls is None:
            return None
        return cls.code, cls.label, cls.colour

    def _raw_code(self, cs, us, cs_ok, us_ok):
        level = int(self.target[3]) if self.target.startswith("niv") else None
        if self.target in ("cs", "us", "pair"):
            dimension = self.target
        else:
            dimension = self.dimension
        parts = []
        for dim, code, ok in (("cs", cs, cs_ok), ("us", us, us_ok)):
            if dimension not in (dim, "pair"):
                continue
            found = self._dimension_code(dim, code, level) if ok else None
            if found is None:
                return None
            parts.append(found)
        if len(parts) == 1:
            return parts[0]
        (cs_code, cs_label, cs_colour), (us_code, us_label, _c) = parts
        return "%s/%s" % (cs_code, us_code), "%s / %s" % (cs_label, us_label), cs_colour

    def _derived_code(self, target, value):
        if value is None:
            return None
        classes = nom.derived_classes(target)
        if target in ("p4", "p21", "artif"):
            try:
                value = int(float(value))
            except (TypeError, ValueError):
                return None
        cls = classes.get(value)
        if cls is None:
            return None
        return str(cls.code), cls.label, cls.colour

    # -- main ----------------------------------------------------------------------------------------
    def classify(self, cs_raw, us_raw, pre_code=None, pre_enaf=None, pre_artif=None):
        key = (cs_raw, us_raw, pre_code, pre_enaf, pre_artif)
        try:
            return self._cache[key]
        except KeyError:
            pass
        except TypeError:
            key = (str(cs_raw), str(us_raw), str(pre_code), str(pre_enaf), str(pre_artif))
            if key in self._cache:
                return self._cache[key]
        side = self._classify(cs_raw, us_raw, pre_code, pre_enaf, pre_artif)
        self._cache[key] = side
        return side

    def _classify(self, cs_raw, us_raw, pre_code, pre_enaf, pre_artif=None):
        cs = nom.normalise_code(cs_raw)
        us = nom.normalise_code(us_raw)
        n = self.nomenclature
        cs_class = n.cs.get(cs) if cs else None
        us_class = n.us.get(us) if us else None
        cs_state = "null" if cs is None else ("ok" if cs_class is not None and cs_class.leaf else "unknown")
        us_state = "null" if us is None else ("ok" if us_class is not None and us_class.leaf else "unknown")
        pair_ok = cs_state == "ok" and us_state == "ok"
        lookup = None
        if pair_ok and self.key != nom.OCSGE:
            lookup = nom.ocs2d_lookup().get(self._rules.modern_codes(cs, us))
        # statuses (artif_YYYY written by ocs:artificialisation, with the thresholds, wins over the matrix)
        artif = self._rules.artif_value(cs, us) if pair_ok else None
        if not nom.is_null(pre_artif):
            try:
                artif = int(float(pre_artif))
            except (TypeError, ValueError):
                pass
        if nom.is_null(pre_enaf):
            pre_enaf = None
        if pre_enaf is not None and pre_enaf in nom.derived_classes("enaf"):
            enaf = pre_enaf
        elif self.key == nom.OCSGE:
            enaf = ocsge_enaf(cs if cs_state == "ok" else None, us if us_state == "ok" else None)
        else:
            enaf = lookup.enaf if lookup is not None else None
        # code of the target
        found = None
        target = self.target
        if target in ("p4", "p21", "enaf", "naf", "artif"):
            value = None if nom.is_null(pre_code) else pre_code
            if value is None:
                if target == "artif":
                    value = artif
                elif target == "naf":
                    value = nom.enaf_family(enaf) if enaf else None
                elif target == "enaf":
                    value = enaf
                elif lookup is not None:
                    value = getattr(lookup, target)
            found = self._derived_code(target, value)
        else:
            found = self._raw_code(cs, us, cs_state == "ok", us_state == "ok")
        if found is None:
            return Side(UNKNOWN, UNKNOWN, UNKNOWN_COLOUR, artif, enaf, (cs_state, us_state))
        code, label, colour = found
        side = Side(code, label, colour, artif, enaf, (cs_state, us_state))
        if lookup is not None and lookup.spatial_rule:
            # the spatial rules move p4/p21/ENAF: without precomputed fields the attribute default is used
            side.by_default = pre_enaf is None or (target in ("p4", "p21") and nom.is_null(pre_code))
        return side


# The attribute table of ocs:changedetection's change polygons (after the zone field, when zones are given):
# (name, kind) with kind str | double | int; the values of a piece: detection_values.
DETECTION_FIELDS = (("code_avant", "str"), ("code_apres", "str"), ("libelle_avant", "str"),
                    ("libelle_apres", "str"), ("surface_m2", "double"), ("type_changement", "str"),
                    ("millesime_avant", "str"), ("millesime_apres", "str"), ("artif_avant", "int"),
                    ("artif_apres", "int"), ("enaf_avant", "str"), ("enaf_apres", "str"))


def detection_values(before, after, area, period):
    """The values of DETECTION_FIELDS of a piece of ``area`` m² going from Side ``before`` to Side ``after``
    over ``period`` (from, to)."""
    return [before.code, after.code, before.label, after.label, area, change_type(before, after),
            period[0], period[1], before.artif, after.artif, before.enaf, after.enaf]


def change_type(before, after):
    """The type_changement of a piece of land going from Side ``before`` to Side ``after``.

    Hors couverture when one side is outside; inconnu when a code is unknown; aucun changement when the
    compared codes are equal; else, by precedence: artificialisation (artif 0 → 1), désartificialisation
    (1 → 0), consommation ENAF (NAF → non-NAF), renaturation (non-NAF → NAF), densification (an urban
    — non-NAF — piece that stays urban) and mutation agricole/naturelle (NAF that stays NAF).
    """
    if before.code == OUTSIDE or after.code == OUTSIDE:
        return TYPE_OUTSIDE
    if before.code == UNKNOWN or after.code == UNKNOWN:
        return TYPE_UNKNOWN
    if before.code == after.code:
        return NO_CHANGE
    if before.artif == 0 and after.artif == 1:
        return ARTIFICIALISATION
    if before.artif == 1 and after.artif == 0:
        return DESARTIFICIALISATION
    if before.naf == "NAF" and after.naf == "Non-NAF":
        return CONSOMMATION
    if before.naf == "Non-NAF" and after.naf == "NAF":
        return RENATURATION
    if after.naf == "Non-NAF" or (after.naf is None and after.artif == 1):
        return DENSIFICATION
    if after.naf == "NAF" or (after.naf is None and after.artif == 0):
        return MUTATION
    return TYPE_UNKNOWN


# -- periods and years ---------------------------------------------------------------------------------

def periods(vintages):
    """Consecutive pairs of ``vintages`` (sorted list), plus first → last when there are three or more."""
    pairs = [(vintages[i], vintages[i + 1]) for i in range(len(vintages) - 1)]
    if len(vintages) > 2:
        pairs.append((vintages[0], vintages[-1]))
    return pairs


def period_label(period):
    return "%s-%s" % period


def years_between(period):
    """Years between the two vintages of a period, or None when they are not years (avant/apres)."""
    try:
        years = int(period[1]) - int(period[0])
    except (TypeError, ValueError):
        return None
    return years if years > 0 else None


def field_token(code):
    """A code as a field-name token: 'CS1.1.1' → 'cs1_1_1', 'Non-NAF' → 'non_naf', 'hors couverture' → 'hors_couverture'."""
    token = re.sub(r"[^0-9a-z]+", "_", nom.plain(str(code)).lower()).strip("_")
    return token or "x"


# -- ordering ------------------------------------------------------------------------------------------

def _sort_key(code):
    if code == UNKNOWN:
        return (2, ())
    if code == OUTSIDE:
        return (3, ())
    numbers = tuple(int(p) for p in re.findall(r"\d+", code))
    return (0 if numbers else 1, numbers, code)


def order_codes(codes):
    """Codes in nomenclature order (numeric parts), then letters, then inconnu and hors couverture."""
    return sorted(set(codes), key=_sort_key)


def target_classes(nomenclature_key, target, dimension):
    """Ordered [(code, label, colour)] of every class a target can take (for legends and full matrices)."""
    if target in ("p4", "p21", "enaf", "naf", "artif"):
        return [(str(c.code), c.label, c.colour) for c in nom.derived_classes(target).values()]
    return []


# -- accumulation ---------------------------------------------------------------------------------------

class Transitions:
    """Areas (m²) by (period, zone) then (code_from, code_to), plus per-(period, zone) flows on the statuses.

    ``zone=Ellipsis`` in the accessors means every zone summed (the territory).
    """

    def __init__(self):
        self.cells = {}     # (period, zone) → {(from, to): m²}
        self.flows = {}     # (period, zone) → {measure: m²}
        self.classes = {}   # code → (label, colour)
        self._measures = {}  # (before, after) Side objects (cached by the classifiers) → flow measures

    def add(self, period, zone, before, after, area):
        key = (period, zone)
        cells = self.cells.get(key)
        if cells is None:
            cells = self.cells[key] = {}
            self.flows[key] = {}
        pair = (before.code, after.code)
        cells[pair] = cells.get(pair, 0.0) + area
        measures = self._measures.get((before, after))
        if measures is None:
            measures = self._measures[(before, after)] = flow_measures(before, after)
            for side in (before, after):
                if side.code not in self.classes:
                    self.classes[side.code] = (side.label, side.colour)
        flows = self.flows[key]
        for measure in measures:
            flows[measure] = flows.get(measure, 0.0) + area
        flows["total"] = flows.get("total", 0.0) + area

    def periods(self):
        return sorted({key[0] for key in self.cells})

    def zones(self):
        return sorted({key[1] for key in self.cells}, key=lambda z: (z is None, z == OUTSIDE_ZONES, str(z)))

    def codes(self, period=None):
        """Codes of both vintages (of one period, or of all), in nomenclature order."""
        found = set()
        for (p, _zone), cells in self.cells.items():
            if period is None or p == period:
                for pair in cells:
                    found.update(pair)
        return order_codes(found)

    def _sum(self, store, period, zone):
        if zone is not Ellipsis:
            return dict(store.get((period, zone), {}))
        result = {}
        for (p, _zone), values in store.items():
            if p == period:
                for key, area in values.items():
                    result[key] = result.get(key, 0.0) + area
        return result

    def matrix(self, period, zone=Ellipsis):
        """{(from, to): m²} of a period for one zone (Ellipsis = every zone summed)."""
        return self._sum(self.cells, period, zone)

    def total(self, period, zone=Ellipsis):
        return sum(self.matrix(period, zone).values())

    def stocks(self, period, zone=Ellipsis):
        """({code: m²} at the first vintage, {code: m²} at the second)."""
        first, second = {}, {}
        for (code_from, code_to), area in self.matrix(period, zone).items():
            first[code_from] = first.get(code_from, 0.0) + area
            second[code_to] = second.get(code_to, 0.0) + area
        return first, second

    def zone_flows(self, period, zone=Ellipsis):
        return self._sum(self.flows, period, zone)


def flow_measures(before, after):
    """Flow measures a piece of land contributes to (territoryflows columns without suffix)."""
    measures = []
    if before.artif == 0 and after.artif == 1:
        measures.append("artif")
    elif before.artif == 1 and after.artif == 0:
        measures.append("desartif")
    if before.naf == "NAF" and after.naf == "Non-NAF":
        measures.append("conso_enaf")
        for enaf_code, name in DESTINATIONS:
            if after.enaf == enaf_code:
                measures.append("conso_" + name)
    elif before.naf == "Non-NAF" and after.naf == "NAF":
        measures.append("renaturation")
    return measures


# Flow columns of ocs:territoryflows, in order: (measure, sign) — artif_net = artif − desartif.
FLOW_COLUMNS = ("artif", "desartif", "artif_net", "conso_enaf", "conso_habitat", "conso_activite", "conso_infra",
                "conso_autre", "renaturation")


def flow_values(flows):
    """{column: m²} for FLOW_COLUMNS from accumulated measures."""
    values = {name: flows.get(name, 0.0) for name in FLOW_COLUMNS if name != "artif_net"}
    values["artif_net"] = values["artif"] - values["desartif"]
    return values


def matrix_rows(cells, codes, full_limit=50):
    """(from, to, m²) rows of a matrix on the union ``codes`` of both vintages.

    Up to ``full_limit`` codes every cell is written (zeros included: each code gets its row and column);
    beyond, the non-zero cells and the diagonal of every code (so that each code still has its row and column).
    """
    rows = []
    full = len(codes) <= full_limit
    for code_from in codes:
        for code_to in codes:
            area = cells.get((code_from, code_to), 0.0)
            if full or area or code_from == code_to:
                rows.append((code_from, code_to, area))
    return rows


def conserved(expected, found, tolerance=1e-4):
    """True when ``found`` equals ``expected`` to ``tolerance`` (relative; 1e-4 = 0.01 %), or both ~0."""
    if abs(expected) < 1e-6:
        return abs(found) < 1e-3
    return abs(found - expected) <= tolerance * abs(expected)
