"""Quality control of a land-cover layer (ocs:validate): the checks, their severities, the rule tables shipped as
data (resources/validation/) and the arithmetic of the summary. Plain Python, no QGIS import.

Every problem is one row: a check key (``controle``), a severity (``gravite``), the land it touches (m²). A polygon
in two problems is counted in each (the summary says so): the summary adds up, row by row, to the problems listed.
"""
import dataclasses
import functools

from . import nomenclature as nom

ERREUR = "erreur"
AVERTISSEMENT = "avertissement"

# controle key → severity (couple_incompatible: the severity of the row of the table that matched)
CONTROLES = (
    ("geometrie_invalide", ERREUR),
    ("geometrie_vide", ERREUR),
    ("doublon", ERREUR),
    ("chevauchement", ERREUR),
    ("trou", AVERTISSEMENT),
    ("code_manquant", ERREUR),
    ("code_inconnu", ERREUR),
    ("couple_incompatible", ERREUR),
    ("voisins_identiques", AVERTISSEMENT),
    ("sous_unite_minimale", AVERTISSEMENT),
    ("transition_improbable", AVERTISSEMENT),
    ("oscillation", AVERTISSEMENT),
)
SEVERITY = dict(CONTROLES)
CONTROLE_KEYS = tuple(key for key, _severity in CONTROLES)

# The CHECKS parameter (multi-choice, by index) and the controles each choice runs.
CHECKS = ("geometry", "coverage", "codes", "pairs", "neighbours", "mmu", "transitions")
CHECK_CONTROLES = {
    "geometry": ("geometrie_invalide", "geometrie_vide", "doublon"),
    "coverage": ("chevauchement", "trou"),
    "codes": ("code_manquant", "code_inconnu"),
    "pairs": ("couple_incompatible",),
    "neighbours": ("voisins_identiques",),
    "mmu": ("sous_unite_minimale",),
    "transitions": ("transition_improbable", "oscillation"),
}
TOTAL = "total"

# Overlaps and gaps smaller than this (m²) are numerical slivers of two edges that do not share their vertices:
# counted in the log, not listed.
SLIVER_M2 = 1e-4


def checks_from_indexes(indexes):
    """The check keys of the CHECKS choices ``indexes`` (empty or None = every check), in CHECKS order."""
    if not indexes:
        return list(CHECKS)
    wanted = {int(i) for i in indexes}
    bad = [i for i in wanted if i < 0 or i >= len(CHECKS)]
    if bad:
        raise ValueError(bad[0])
    return [key for i, key in enumerate(CHECKS) if i in wanted]


def _prefix(code, pattern):
    """Whether ``code`` is ``pattern`` or below it (CS4.1 covers CS4.1.2; CS4.1 does not cover CS4.10)."""
    return pattern == "*" or code == pattern or code.startswith(pattern + ".")


# -- couverture × usage pairs ---------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class PairRule:
    code_cs: str
    code_us: str
    gravite: str
    motif: str


@functools.lru_cache(maxsize=None)
def pair_rules(key):
    """The rows of resources/validation/incompatible_pairs.csv for nomenclature ``key``."""
    return tuple(PairRule(r["code_cs"], r["code_us"], r["gravite"], r["motif"])
                 for r in nom.read_table("validation/incompatible_pairs.csv") if r["nomenclature"] == key)


def incompatible_pair(key, cs, us):
    """The PairRule that (normalised) ``cs`` × ``us`` breaks, errors first; None when the pair is fine."""
    if not cs or not us:
        return None
    found = [r for r in pair_rules(key) if _prefix(cs, r.code_cs) and _prefix(us, r.code_us)]
    if not found:
        return None
    return sorted(found, key=lambda r: r.gravite != ERREUR)[0]


# -- transitions ----------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class TransitionRule:
    code_avant: str
    code_apres: str
    motif: str


@functools.lru_cache(maxsize=None)
def transition_rules(key):
    return tuple(TransitionRule(r["code_avant"], r["code_apres"], r["motif"])
                 for r in nom.read_table("validation/improbable_transitions.csv") if r["nomenclature"] == key)


def improbable_transition(key, before, after):
    """The TransitionRule that the couverture change ``before`` → ``after`` matches, None otherwise (and when
    either is NULL or they are equal)."""
    if not before or not after or before == after:
        return None
    for rule in transition_rules(key):
        if _prefix(before, rule.code_avant) and _prefix(after, rule.code_apres):
            return rule
    return None


def oscillations(codes):
    """Indexes ``i`` where ``codes[i] == codes[i + 2] != codes[i + 1]`` (A → B → A over three consecutive
    vintages); NULL codes never oscillate."""
    return [i for i in range(len(codes) - 2)
            if codes[i] and codes[i + 1] and codes[i] == codes[i + 2] != codes[i + 1]]


# -- minimum mapping unit -------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def mmu_rules(key):
    return tuple((r["code"], float(r["min_area_m2"])) for r in nom.read_table("validation/minimum_mapping_units.csv")
                 if r["nomenclature"] == key)


def minimum_mapping_unit(key, cs, us, override=None):
    """The minimum mapping unit (m²) of a polygon coded ``cs`` × ``us`` in nomenclature ``key``: ``override`` when
    given, else the smallest unit of the producer's specification that applies to its couverture or usage."""
    if override is not None:
        return float(override)
    units = [area for code, area in mmu_rules(key)
             if code != "*" and ((cs and _prefix(cs, code)) or (us and _prefix(us, code)))]
    if units:
        return min(units)
    default = [area for code, area in mmu_rules(key) if code == "*"]
    return default[0] if default else None


# -- the summary ----------------------------------------------------------------------------------------------

@dataclasses.dataclass
class SummaryRow:
    controle: str
    gravite: str
    nombre: int
    surface_m2: float
    part_territoire_pct: float


class Tally:
    """Counts and areas per (controle, gravite) as problems are found, and the features met in several."""

    def __init__(self):
        self.rows = {}          # (controle, gravite) → [count, area]
        self.features = {}      # fid → number of problems naming it

    def add(self, controle, gravite, area_m2, fid=None):
        row = self.rows.setdefault((controle, gravite), [0, 0.0])
        row[0] += 1
        row[1] += area_m2 or 0.0
        if fid is not None:
            self.features[fid] = self.features.get(fid, 0) + 1

    def in_several(self):
        """The number of features named by two problems or more (counted in each)."""
        return sum(1 for n in self.features.values() if n > 1)

    def summary(self, territory_m2):
        """SummaryRows in CONTROLES order (one per severity met), then the total row; shares of ``territory_m2``
        (None when it is unknown or zero)."""
        order = {key: i for i, key in enumerate(CONTROLE_KEYS)}
        rows = []
        for (controle, gravite), (count, area) in sorted(self.rows.items(),
                                                          key=lambda item: (order[item[0][0]], item[0][1])):
            rows.append(SummaryRow(controle, gravite, count, area, share(area, territory_m2)))
        count = sum(r.nombre for r in rows)
        area = sum(r.surface_m2 for r in rows)
        rows.append(SummaryRow(TOTAL, "", count, area, share(area, territory_m2)))
        return rows


def share(area_m2, territory_m2):
    """``area_m2`` as a % of ``territory_m2`` (None when the territory is unknown or empty)."""
    if not territory_m2:
        return None
    return 100.0 * area_m2 / territory_m2


# -- neighbours -----------------------------------------------------------------------------------------------

def components(count, pairs):
    """Groups (lists of indexes, each sorted, groups by their first index) of the items 0..count-1 joined by
    ``pairs`` (union-find); items in no pair are left out."""
    parent = {}

    def find(i):
        root = i
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(i, i) != root:
            parent[i], i = root, parent[i]
        return root

    for a, b in pairs:
        parent.setdefault(a, a)
        parent.setdefault(b, b)
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups = {}
    for i in list(parent):
        groups.setdefault(find(i), []).append(i)
    return [sorted(g) for _root, g in sorted(groups.items())]
