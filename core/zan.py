"""ZAN measures without QGIS: artificialisation thresholds, optional exemptions, and the 2021–2031 trajectory.

Décret n° 2023-1096 (annex to article R.101-1 of the code de l'urbanisme): a polygon's status comes from the
couverture × usage matrix (step 1, ``rules.Reclassifier.artif_value``), then from the reference thresholds
(step 2): 50 m² of footprint for buildings, 2,500 m² for every other category. The official measure (IGN's OCS GE
ARTIFICIALISATION product, field ``crit_seuil``) applies them to *patches* — contiguous polygons of the same
status:
- a non-artificialised patch smaller than 2,500 m² entirely surrounded by artificialised land becomes
  artificialised;
- an artificialised patch smaller than 2,500 m² entirely surrounded by non-artificialised land becomes
  non-artificialised, except its built polygons (couverture bâtie) of at least 50 m², which stay artificialised.
A patch touching the edge of the layer (or a gap in it) is not entirely surrounded.

Loi Climat et Résilience (n° 2021-1104, art. 191 and 194): ENAF consumption over 2021–2031 is capped at half
(REDUCTION_PCT) of the consumption of 2011–2021.
"""
from . import nomenclature as nom

BUILT_MIN_M2 = 50.0
OTHER_MIN_M2 = 2500.0
REFERENCE = ("2011", "2021")
REDUCTION_PCT = 50.0
TARGET_START = "2021"
TARGET_END = "2031"


# -- step 1: matrix status, built cover, exemptions -----------------------------------------------------

def is_built(nomenclature_key, cs):
    """Couverture bâtie: CS1.1.1.1 in OCS GE, CS1.1.1 in OCS2D (legacy codes recoded first)."""
    if cs is None:
        return False
    if nomenclature_key == nom.OCSGE:
        return cs == "CS1.1.1.1"
    if nomenclature_key == nom.OCS2D_NPDC:
        cs = nom.legacy_to_2021()["cs"].get(cs)
    return cs == "CS1.1.1"


def _vegetated_ocs2d(cs21):
    return cs21 is not None and cs21[:3] in ("CS4", "CS5", "CS6")


def exemption(nomenclature_key, cs, us, photovoltaic=False, parks=False, pv=False):
    """'parc', 'pv' or None: the optional exemption of the decree's footnote (**) that applies to a polygon.

    Only OCS2D carries the codes: US3.2.1 (parcs et espaces verts paysagers) on a vegetated couverture
    (CS4 wooded, CS5 shrubs, CS6 herbaceous) for public parks and gardens; US2.1.4 (solar energy) or the
    ``photovolYY`` flag on a vegetated, non-wooded couverture (CS5, CS6: PV in a forest always counts) for
    ground-mounted photovoltaics that keep the soil's functions. OCS GE has no code for either.
    """
    if nomenclature_key == nom.OCSGE or cs is None:
        return None
    if nomenclature_key == nom.OCS2D_NPDC:
        legacy = nom.legacy_to_2021()
        cs, us = legacy["cs"].get(cs), legacy["us"].get(us)
    if parks and us == "US3.2.1" and _vegetated_ocs2d(cs):
        return "parc"
    if pv and (us == "US2.1.4" or photovoltaic) and cs is not None and cs[:3] in ("CS5", "CS6"):
        return "pv"
    return None


# -- step 2: thresholds on patches ---------------------------------------------------------------------

class Patches:
    """Union-find of polygons of the same status that touch each other."""

    def __init__(self):
        self.parent = {}

    def add(self, item):
        self.parent.setdefault(item, item)

    def find(self, item):
        parent = self.parent
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra

    def groups(self):
        result = {}
        for item in self.parent:
            result.setdefault(self.find(item), []).append(item)
        return list(result.values())


def threshold_status(status, patch_area, surrounded, built_area=None, built_min=BUILT_MIN_M2,
                     other_min=OTHER_MIN_M2):
    """Status of one polygon of a patch after the thresholds.

    ``status``: the patch's matrix status (1/0); ``patch_area`` m²; ``surrounded``: the patch touches only land
    of the other status (not the edge of the layer); ``built_area``: the polygon's area when its couverture is
    built, else None.
    """
    if patch_area >= other_min or not surrounded:
        return status
    if status == 0:
        return 1
    if built_area is not None and built_area >= built_min:
        return 1
    return 0


# -- trajectory ---------------------------------------------------------------------------------------------

def _years(period):
    return int(period[1]) - int(period[0])


def overlap(period, start, end):
    """Years shared by ``period`` (y0, y1) and [start, end]."""
    return max(0, min(int(period[1]), int(end)) - max(int(period[0]), int(start)))


def reference_estimate(values, start=REFERENCE[0], end=REFERENCE[1]):
    """(ha, method) of ENAF consumption over [start, end] from consumption per period {(y0, y1): ha}.

    Only periods between consecutive vintages should be given. A period equal to the reference is used as it
    is. Otherwise each overlapping period contributes its annual rate × the years it shares with the reference,
    and the years the vintages do not cover take the mean rate of the overlapping periods. Without any overlap
    the annual rate of the nearest period is applied to the whole reference. ``method`` says which, in French
    (the ``methode`` field).
    """
    span = int(end) - int(start)
    periods = sorted((p for p in values if _years(p) > 0), key=lambda p: (int(p[0]), int(p[1])))
    if not periods or span <= 0:
        return None, "aucune période mesurée"
    if (start, end) in values:
        return values[(start, end)], "observé %s-%s" % (start, end)
    parts, covered, weighted = [], 0, 0.0
    for period in periods:
        years = overlap(period, start, end)
        if years:
            rate = values[period] / _years(period)
            weighted += rate * years
            covered += years
            parts.append("%s-%s (%d an%s)" % (period[0], period[1], years, "s" if years > 1 else ""))
    if covered:
        covered = min(covered, span)
        estimate = weighted + (span - covered) * weighted / covered
        method = "estimé au prorata des périodes %s" % ", ".join(parts)
        if covered < span:
            method += " ; %d an%s hors millésimes au taux moyen de ces périodes" % (
                span - covered, "s" if span - covered > 1 else "")
        return estimate, method
    nearest = min(periods, key=lambda p: min(abs(int(p[1]) - int(start)), abs(int(p[0]) - int(end))))
    rate = values[nearest] / _years(nearest)
    return rate * span, "estimé au taux annuel de la période la plus proche %s-%s (%.4f ha/an)" % (
        nearest[0], nearest[1], rate)


def since(values, start=TARGET_START, end=TARGET_END):
    """(ha, method) of consumption observed from ``start`` (within [start, end]) or (None, reason)."""
    parts, total = [], 0.0
    for period in sorted(values, key=lambda p: (int(p[0]), int(p[1]))):
        if _years(period) <= 0:
            continue
        years = overlap(period, start, end)
        if not years:
            continue
        share = years / _years(period)
        total += values[period] * share
        parts.append("%s-%s%s" % (period[0], period[1], "" if share == 1 else " (prorata %d/%d)" % (
            years, _years(period))))
    if not parts:
        return None, "aucun millésime après %s" % start
    return total, "observé " + ", ".join(parts)


def allowance(reference_ha, reduction_pct=REDUCTION_PCT):
    """2021–2031 allowance: the reference consumption reduced by ``reduction_pct`` %."""
    if reference_ha is None:
        return None
    return reference_ha * (1.0 - reduction_pct / 100.0)


def remaining(allowance_ha, consumed_ha):
    if allowance_ha is None:
        return None
    return allowance_ha - (consumed_ha or 0.0)
