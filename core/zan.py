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
(REDUCTION_PCT) of the consumption of 2011–2021. The figures of ocs:zantrajectory per zone (``Trajectory``,
``period_figures``, ``zone_reference``, ``total_reference``, ``zone_figures``, ``output_columns``) are computed here
from the flows of core/changes.py.
"""
import dataclasses
import re

from . import changes as ch
from . import nomenclature as nom

BUILT_MIN_M2 = 50.0
OTHER_MIN_M2 = 2500.0
REFERENCE = ("2011", "2021")
REDUCTION_PCT = 50.0
TARGET_START = "2021"
TARGET_END = "2031"


# -- step 1: matrix status, built cover, exemptions -----------------------------------------------------

# The ``methode`` texts: data values in French whatever the interface language (the output fields), put in
# English for an English report by method_text(). Each phrase once, in both languages.
METHOD_PHRASES = (
    ("none", "aucune période mesurée", "no period measured"),
    ("observed", "observé ", "observed "),
    ("pro_rata", "estimé au prorata des périodes ", "estimated pro rata of the periods "),
    ("outside", " hors millésimes au taux moyen de ces périodes", " outside the vintages at the mean rate of these periods"),
    ("nearest", "estimé au taux annuel de la période la plus proche ", "estimated at the annual rate of the nearest period "),
    ("rate_unit", " ha/an", " ha/year"),
    ("share", "prorata ", "pro rata "),
    ("no_vintage", "aucun millésime après ", "no vintage after "),
    ("sum", "somme des zones (officiel ou estimé selon la zone)", "sum of the zones (official or estimated per zone)"),
    ("official", "chiffre officiel fourni (OFFICIAL_CONSUMPTION)", "official figure given (OFFICIAL_CONSUMPTION)"),
    ("not_in_official", "zone absente de la table officielle", "zone missing from the official table"),
    ("separator", " ; ", "; "),
)
METHOD = {key: french for key, french, _english in METHOD_PHRASES}
YEARS = {"fr": ("an", "ans"), "en": ("year", "years")}


def _years_text(years, lang="fr"):
    return "%d %s" % (years, YEARS[lang][years > 1])


def method_text(text, lang):
    """A ``methode`` text (French, as stored) in the report's language."""
    if lang == "fr" or not text:
        return text
    for _key, french, english in sorted(METHOD_PHRASES, key=lambda p: -len(p[1])):   # longest phrases first
        text = text.replace(french, english)
    return re.sub(r"\b(\d+) ans?\b", lambda m: _years_text(int(m.group(1)), lang), text)


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
        return None, METHOD["none"]
    if (start, end) in values:
        return values[(start, end)], METHOD["observed"] + "%s-%s" % (start, end)
    parts, covered, weighted = [], 0, 0.0
    for period in periods:
        years = overlap(period, start, end)
        if years:
            rate = values[period] / _years(period)
            weighted += rate * years
            covered += years
            parts.append("%s-%s (%s)" % (period[0], period[1], _years_text(years)))
    if covered:
        covered = min(covered, span)
        estimate = weighted + (span - covered) * weighted / covered
        method = METHOD["pro_rata"] + ", ".join(parts)
        if covered < span:
            method += METHOD["separator"] + _years_text(span - covered) + METHOD["outside"]
        return estimate, method
    nearest = min(periods, key=lambda p: min(abs(int(p[1]) - int(start)), abs(int(p[0]) - int(end))))
    rate = values[nearest] / _years(nearest)
    return rate * span, METHOD["nearest"] + "%s-%s (%.4f%s)" % (nearest[0], nearest[1], rate, METHOD["rate_unit"])


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
        parts.append("%s-%s%s" % (period[0], period[1], "" if share == 1 else " (%s%d/%d)" % (
            METHOD["share"], years, _years(period))))
    if not parts:
        return None, METHOD["no_vintage"] + start
    return total, METHOD["observed"] + ", ".join(parts)


def allowance(reference_ha, reduction_pct=REDUCTION_PCT):
    """2021–2031 allowance: the reference consumption reduced by ``reduction_pct`` %."""
    if reference_ha is None:
        return None
    return reference_ha * (1.0 - reduction_pct / 100.0)


def remaining(allowance_ha, consumed_ha):
    if allowance_ha is None:
        return None
    return allowance_ha - (consumed_ha or 0.0)


# -- ocs:zantrajectory: figures per zone -------------------------------------------------------------------

TOTAL = "total"                     # the zone value of the territory row
DESTINATIONS = ("habitat", "activite", "infra", "autre")
# ``methode`` texts (data values, in French whatever the interface language)
SUM_OF_ZONES = METHOD["sum"]
OFFICIAL_METHOD = METHOD["official"]
NOT_IN_OFFICIAL = METHOD["separator"] + METHOD["not_in_official"]


@dataclasses.dataclass(frozen=True)
class Trajectory:
    """The reference period [start, end] (years as text), the reduction (%) asked for the decade after it."""

    start: str = REFERENCE[0]
    end: str = REFERENCE[1]
    reduction_pct: float = REDUCTION_PCT

    @property
    def reference(self):
        return (self.start, self.end)

    @property
    def objective(self):
        """The objective decade (end, end + 10)."""
        return (self.end, str(int(self.end) + 10))


@dataclasses.dataclass
class PeriodFigures:
    """ENAF consumption of one zone over one period (ha), by destination, and the artificialisation flows of
    the periods of the objective decade (None for the earlier ones)."""

    period: tuple                   # (from, to) vintages
    years: object                   # int, or None when the vintages are not years
    conso_ha: float
    conso_ha_an: object             # None without years
    by_destination: dict            # {destination of DESTINATIONS: ha}
    artif_ha: object = None
    desartif_ha: object = None
    artif_net_ha: object = None

    @property
    def suffix(self):
        return "%s_%s" % self.period


def in_objective(period, end):
    """Whether the artificialisation flows of ``period`` are given: a period in years starting at ``end`` or
    later (inside the objective decade)."""
    return bool(ch.years_between(period)) and int(period[0]) >= int(end)


def period_figures(period, flows, end):
    """PeriodFigures of ``period`` from its flows in m² (``core.changes.flow_values``)."""
    years = ch.years_between(period)
    conso = flows["conso_enaf"] / 1e4
    figures = PeriodFigures(period, years, conso, conso / years if years else None,
                            {d: flows["conso_" + d] / 1e4 for d in DESTINATIONS})
    if in_objective(period, end):
        figures.artif_ha = flows["artif"] / 1e4
        figures.desartif_ha = flows["desartif"] / 1e4
        figures.artif_net_ha = flows["artif_net"] / 1e4
    return figures


def measured(periods):
    """{period: ha} of the PeriodFigures that span years (those the estimates use)."""
    return {p.period: p.conso_ha for p in periods if ch.years_between(p.period)}


@dataclasses.dataclass
class Reference:
    """Consumption of the reference period (ha, None when nothing was measured), its source ('OCS',
    'officiel' or 'mixte') and how it was obtained (``methode``)."""

    conso_ha: object
    source: str
    method: str


def zone_key(value):
    """Zone code as compared between the zone layer and the official table: text without spaces, '59350.0' →
    '59350', and a 4-digit number padded to 5 ('2001' → '02001', an INSEE code stored as a number)."""
    key = str(value).strip()
    if key.endswith(".0") and key[:-2].isdigit():
        key = key[:-2]
    if key.isdigit() and len(key) == 4:
        key = key.zfill(5)
    return key


def zone_reference(zone, periods, trajectory, official=None):
    """Reference of one zone (or of the territory without zones): the official figure when ``official``
    ({zone_key: ha}, None when no table is given) has the zone, else the estimate from the PeriodFigures."""
    if official is not None and zone_key(zone) in official:
        return Reference(official[zone_key(zone)], "officiel", OFFICIAL_METHOD)
    reference, method = reference_estimate(measured(periods), trajectory.start, trajectory.end)
    if official is not None and zone not in (TOTAL, ch.OUTSIDE_ZONES):
        method += NOT_IN_OFFICIAL
    return Reference(reference, "OCS", method)


def total_reference(periods, trajectory, zones):
    """Reference of the territory given as zones (their ZoneFigures): the sum of the zones' references (None
    when no zone has one); source 'mixte' when the zones (but the land outside them) mix sources; the method is
    the territory's own estimate when every zone is estimated."""
    known = [z.reference.conso_ha for z in zones if z.reference.conso_ha is not None]
    reference = sum(known) if known else None       # no measurable period anywhere: NULL, not 0
    # the land outside every zone is never in an official table: it does not make the total "mixte"
    sources = {z.reference.source for z in zones if z.zone != ch.OUTSIDE_ZONES} or {"OCS"}
    source = sources.pop() if len(sources) == 1 else "mixte"
    method = SUM_OF_ZONES if source != "OCS" else reference_estimate(
        measured(periods), trajectory.start, trajectory.end)[1]
    return Reference(reference, source, method)


@dataclasses.dataclass
class ZoneFigures:
    """One row of ocs:zantrajectory: the zone, its area, the consumption per period, the reference, the
    allowance of the objective decade, what was consumed since its start and what remains (ha)."""

    zone: str
    surface_ha: float
    periods: list                   # [PeriodFigures]
    trajectory: Trajectory
    reference: Reference
    reference_ha_an: object
    allowance_ha: object
    allowance_ha_an: object
    observed_ha: object
    observed_method: str
    remaining_ha: object

    def attributes(self):
        """{output column: value} (the columns of ``output_columns``)."""
        values = {"zone": self.zone, "surface_ha": self.surface_ha}
        for p in self.periods:
            values.update({"annees_" + p.suffix: p.years, "conso_enaf_%s_ha" % p.suffix: p.conso_ha,
                           "conso_enaf_%s_ha_an" % p.suffix: p.conso_ha_an})
            for destination in DESTINATIONS:
                values["conso_%s_%s_ha" % (destination, p.suffix)] = p.by_destination[destination]
            if in_objective(p.period, self.trajectory.end):
                values.update({"artif_%s_ha" % p.suffix: p.artif_ha, "desartif_%s_ha" % p.suffix: p.desartif_ha,
                               "artif_net_%s_ha" % p.suffix: p.artif_net_ha})
        values.update({
            "periode_reference": "%s-%s" % self.trajectory.reference, "conso_reference_ha": self.reference.conso_ha,
            "conso_reference_ha_an": self.reference_ha_an, "source_reference": self.reference.source,
            "methode": self.reference.method, "reduction_pct": self.trajectory.reduction_pct,
            "periode_objectif": "%s-%s" % self.trajectory.objective, "enveloppe_ha": self.allowance_ha,
            "enveloppe_ha_an": self.allowance_ha_an, "conso_objectif_ha": self.observed_ha,
            "methode_objectif": self.observed_method, "reste_ha": self.remaining_ha})
        return values


def zone_figures(zone, surface_ha, periods, trajectory, reference):
    """ZoneFigures of a zone from its PeriodFigures and its Reference."""
    observed, observed_method = since(measured(periods), *trajectory.objective)
    allowance_ha = allowance(reference.conso_ha, trajectory.reduction_pct)
    span = int(trajectory.end) - int(trajectory.start)
    return ZoneFigures(
        zone, surface_ha, periods, trajectory, reference,
        reference.conso_ha / span if reference.conso_ha is not None else None, allowance_ha,
        allowance_ha / 10.0 if allowance_ha is not None else None, observed, observed_method,
        remaining(allowance_ha, observed))


def output_columns(periods, end):
    """[(name, 'str'|'int'|'double')] of the ocs:zantrajectory table for ``periods`` [(from, to)]."""
    columns = [("zone", "str"), ("surface_ha", "double")]
    for period in periods:
        suffix = "%s_%s" % period
        columns += [("annees_" + suffix, "int"), ("conso_enaf_%s_ha" % suffix, "double"),
                    ("conso_enaf_%s_ha_an" % suffix, "double")]
        columns += [("conso_%s_%s_ha" % (d, suffix), "double") for d in DESTINATIONS]
        if in_objective(period, end):
            columns += [(name % suffix, "double") for name in ("artif_%s_ha", "desartif_%s_ha", "artif_net_%s_ha")]
    columns += [("periode_reference", "str"), ("conso_reference_ha", "double"), ("conso_reference_ha_an", "double"),
                ("source_reference", "str"), ("methode", "str"), ("reduction_pct", "double"),
                ("periode_objectif", "str"), ("enveloppe_ha", "double"), ("enveloppe_ha_an", "double"),
                ("conso_objectif_ha", "double"), ("methode_objectif", "str"), ("reste_ha", "double")]
    return columns


def figures_per_zone(transitions, periods, trajectory, official=None, zoned=False):
    """[(zone, key, ZoneFigures)] of every zone of ``transitions`` (when ``zoned``), then of the territory
    (zone TOTAL, key Ellipsis), from the flows of ``periods`` (core.changes.Transitions)."""
    zones = transitions.zones() if zoned else []
    rows = []
    for zone, key in [(zone, zone) for zone in zones] + [(TOTAL, Ellipsis)]:
        measures = [period_figures(period, ch.flow_values(transitions.zone_flows(period, key)), trajectory.end)
                    for period in periods]
        if zone == TOTAL and zones:
            reference = total_reference(measures, trajectory, [figures for _z, _k, figures in rows])
        else:
            reference = zone_reference(zone, measures, trajectory, official)
        rows.append((zone, key, zone_figures(zone, transitions.total(periods[0], key) / 1e4, measures, trajectory,
                                             reference)))
    return rows
