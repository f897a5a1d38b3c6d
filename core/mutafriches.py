"""Mutafriches mutability scoring (ADEME / Cerema, algorithm v1.11) without QGIS, for a ocs:friches.

Data: resources/friches/mutafriches_criteria.csv (28 criteria, total weight 30, one row per criterion value,
one note per use), copied from incubateur-ademe/mutafriches algorithme.config.ts at commit 93e596bb; see
resources/friches/README.md and shared/reference/notes/heat_and_friches_methods.md part B4.

Method, for each of the 7 uses:
1. every known criterion gives a note for the use: TP +2, P +1, N +0.5, NEG −1, TN −2; an unknown criterion
   ("ne sait pas", None) gives nothing and is left out of the reliability; a criterion searched with no result
   (SEARCHED_NONE, e.g. no transit stop within TRANSPORT_SEARCH_RADIUS) gives nothing either but counts in the
   reliability, as Mutafriches' null ("recherche effectuée, aucun résultat": FiabiliteCalculator.estRenseigne
   counts every value but undefined and "ne-sait-pas", calcul.service.ts skips null);
2. weighted points = points × weight of the criterion (0.5, 1 or 2);
3. A = sum of the positive weighted points, C = |sum of the negative weighted points|; with
   ``neutral_both_sides`` (the default, as Mutafriches v1.11 ``calcul.service.ts`` computes it: "les critères
   NEUTRE comptent dans avantages ET contraintes (comme dans Excel)") a neutral note adds its weighted points to
   A and to C; without it, to A only (the formula of the Mutafriches documentation and of the notes);
4. index = A / (A + C) × 100, 0 when A + C = 0 (nothing known);
5. reliability = (sum of the weights of the known and the searched-without-result criteria / 30) × 10.
Mutafriches shows the index rounded to 0.1 and the reliability rounded to 0.5: ``indices_rounded`` and
``reliability_rounded`` give those; ``indices`` and ``reliability`` are not rounded.

Vocations of the plugin [PROPOSITION of the notes, B4]: habitat = résidentiel; économie = max(industrie,
tertiaire); équipements = max(équipements, culture); renaturation = renaturation. Photovoltaïque stays an index.
"""
import functools
import math
import numbers

from .nomenclature import read_table

TABLE = "friches/mutafriches_criteria.csv"
VERSION = "v1.11"

USES = ("residentiel", "equipements", "culture", "tertiaire", "industrie", "renaturation", "photovoltaique")
USE_LABELS = {
    "residentiel": "résidentiel ou mixte",
    "equipements": "équipements publics",
    "culture": "culture et tourisme",
    "tertiaire": "tertiaire",
    "industrie": "industrie et logistique",
    "renaturation": "renaturation",
    "photovoltaique": "photovoltaïque au sol",
}
VOCATIONS = ("habitat", "economie", "equipements", "renaturation")
VOCATION_LABELS = {"habitat": "habitat", "economie": "économie", "equipements": "équipements",
                   "renaturation": "renaturation"}
# Uses behind each vocation; the first one wins a tie.
VOCATION_USES = {
    "habitat": ("residentiel",),
    "economie": ("industrie", "tertiaire"),
    "equipements": ("equipements", "culture"),
    "renaturation": ("renaturation",),
}

NOTE_POINTS = {"TP": 2.0, "P": 1.0, "N": 0.5, "NEG": -1.0, "TN": -2.0}
NEUTRAL = "N"
TOTAL_WEIGHT = 30.0
UNKNOWN = "ne_sait_pas"
# A criterion searched with no result: Mutafriches' null (incubateur-ademe/mutafriches at 93e596bb,
# apps/api/src/evaluation/services/algorithme/fiabilite.calculator.ts estRenseigne, calcul.service.ts
# calculerScorePourUsage): in the reliability, not in the index.
SEARCHED_NONE = "aucun_resultat"
# Mutafriches searches transit stops within 2 km (apps/api/src/enrichissement/services/transport/
# transport-enrichissement.constants.ts RAYON_RECHERCHE_TRANSPORT_M): none within it is SEARCHED_NONE.
TRANSPORT_SEARCH_RADIUS = 2000.0
EXPLANATION_MAX = 3

# Numeric criteria: (unit, ((upper bound, inclusive?, value key), ...), value key above the last bound).
# Bounds of algorithme.config.ts v1.11; distances in metres (Mutafriches scores the motorway and the electric
# connection in km, converted from metres by metresVersKm: 1 km = 1000 m).
NUMERIC = {
    "surface_site": ("m²", ((10000, False, "lt_10000"), (15000, False, "10000_15000"),
                            (50000, True, "15000_50000")), "gt_50000"),
    "surface_batie": ("m²", ((5000, False, "lt_5000"), (10000, True, "5000_10000")), "gt_10000"),
    "distance_autoroute": ("m", ((1000, False, "lt_1km"), (2000, False, "1_2km"), (5000, False, "2_5km")),
                           "ge_5km"),
    "distance_transports": ("m", ((500, False, "lt_500"),), "ge_500"),
    "distance_raccordement_electrique": ("m", ((1000, False, "lt_1km"), (5000, False, "1_5km")), "ge_5km"),
    "taux_logements_vacants": ("%", ((7, True, "le_7"), (8, True, "7_8"), (10, True, "8_10")), "gt_10"),
}
# Yes/no criteria, and what a number means for some of them.
BOOLEAN = ("centre_ville", "commerces_services", "cavites_souterraines", "risque_inondation",
           "risque_technologique", "raccordement_eau", "especes_protegees", "zone_humide")
# centre_ville: distance to the town hall < 1000 m (TransportCalculator.isCentreVille);
# commerces_services: number of BPE services within 500 m, at least 1 = oui;
# raccordement_eau: built area in m², > 20 m² = oui (Mutafriches deriverRaccordementEau, ADR-0019).
CENTRE_VILLE_DISTANCE = 1000.0
RACCORDEMENT_EAU_BATI = 20.0
NUMBER_TO_BOOLEAN = {
    "centre_ville": lambda x: x < CENTRE_VILLE_DISTANCE,
    "commerces_services": lambda x: x >= 1,
    "raccordement_eau": lambda x: x > RACCORDEMENT_EAU_BATI,
}
# etat_bati from a built area: 0 m² = pas de bâti; any building leaves the state unknown (land cover cannot
# tell how degraded it is).
BUILT_AREA_TO_STATE = ("etat_bati",)


class Criterion:
    """One criterion: key, weight, label, and per value its note for each use, label and source row."""
    __slots__ = ("key", "weight", "label", "values", "value_labels", "sources", "remarks")

    def __init__(self, key, weight, label):
        self.key, self.weight, self.label = key, weight, label
        self.values, self.value_labels, self.sources, self.remarks = {}, {}, {}, {}

    def points(self, value, use):
        return NOTE_POINTS[self.values[value][use]]

    def __repr__(self):
        return "Criterion(%s, %g, %s)" % (self.key, self.weight, ", ".join(self.values))


@functools.lru_cache(maxsize=1)
def _load():
    table = {}
    for row in read_table(TABLE):
        key = row["criterion"].strip()
        weight = float(row["weight"])
        criterion = table.get(key)
        if criterion is None:
            criterion = table[key] = Criterion(key, weight, row["criterion_label"].strip())
        elif criterion.weight != weight:
            raise ValueError("%s: two weights in %s" % (key, TABLE))
        value = row["value"].strip()
        if value in criterion.values or value == UNKNOWN:
            raise ValueError("%s = %s: duplicate or reserved value in %s" % (key, value, TABLE))
        notes = {}
        for use in USES:
            note = row[use].strip()
            if note not in NOTE_POINTS:
                raise ValueError("%s = %s, %s: unknown note %r" % (key, value, use, note))
            notes[use] = note
        criterion.values[value] = notes
        criterion.value_labels[value] = row["label"].strip()
        criterion.sources[value] = (row.get("mutafriches") or "").strip()
        criterion.remarks[value] = (row.get("note") or "").strip()
    return table


def criteria():
    """{criterion key: Criterion} in table order (shared, do not modify)."""
    return _load()


def _criterion(key):
    table = _load()
    if key not in table:
        raise ValueError("unknown Mutafriches criterion %r" % (key,))
    return table[key]


def _is_unknown(raw):
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip() or raw.strip().lower() == UNKNOWN
    if isinstance(raw, float) and math.isnan(raw):
        return True
    return False


# Zone type from a PLU zone or a carte communale sector, as Mutafriches reads it (incubateur-ademe/mutafriches at
# 93e596bb, apps/api/src/enrichissement/services/zonage/zonage-reglementaire/zonage-reglementaire.calculator.ts):
# a dominant destination "02" or "activit…" gives activités; a U zone is classed by keywords of its long label
# (libelong) first, then by its code (the libelle when typezone is just "U"); a carte communale sector by the words
# of its type ("constructible" without "non"/"inconstructible"; "non", "inconstructible" or "interdit").
U_LABEL_KEYWORDS = (
    ("u_habitat", ("habitat", "mixte", "pavillonnaire", "centre")),
    ("u_equipement", ("équipement", "equipement")),
    ("u_activite", ("activité", "activite", "économique", "economique", "industri", "artisanale", "artisanat")),
)
CC_CODES = {"ZC": "cc_constructible", "ZNC": "cc_non_constructible"}


def _text(raw, key):
    value = raw.get(key) if isinstance(raw, dict) else None
    return "" if _is_unknown(value) else str(value).strip()


def _classify_sector(text):
    """Carte communale sector from the words of its type (Mutafriches mapSecteurCCToZonage), None when neither."""
    low = text.lower()
    if "constructible" in low and "non" not in low and "inconstructible" not in low:
        return "cc_constructible"
    if "non" in low or "inconstructible" in low or "interdit" in low:
        return "cc_non_constructible"
    return None


def _classify_u(code, libelle, libelong):
    """Sub-type of a U zone: keywords of the long label first, then the code (Mutafriches mapZoneUrbaToZonage)."""
    label = libelong.lower()
    for key, words in U_LABEL_KEYWORDS:
        if label and any(word in label for word in words):
            return key
    sub = libelle.upper() if code == "U" and libelle else code
    if sub[:2] in ("UA", "UB", "UC", "UD"):
        return "u_habitat"
    if sub.startswith("UE"):
        return "u_equipement"
    if sub[:2] in ("UI", "UX", "UY", "UZ"):
        return "u_activite"
    return "u_generique"


def _classify_plu(raw):
    """CNIG zone-urba (dict typezone, libelle, libelong, destdomi), carte communale sector (dict typesect, or a
    text holding "constructible") or a bare typezone -> zonage_plu key, as Mutafriches."""
    if isinstance(raw, dict):
        typezone, typesect = _text(raw, "typezone"), _text(raw, "typesect")
        libelle, libelong, destdomi = _text(raw, "libelle"), _text(raw, "libelong"), _text(raw, "destdomi").lower()
    else:
        typezone, typesect, libelle, libelong, destdomi = str(raw).strip(), "", "", "", ""
    if not typezone:
        return _classify_sector(typesect) if typesect else None
    if destdomi == "02" or "activit" in destdomi:
        return "activites"
    code = typezone.upper()
    if code in ("ZC", "ZNC", "ZCA"):
        # Carte communale sector codes of some PLU layers (plugin reading; a sector reserved for activities, ZCa,
        # has no class in Mutafriches and stays unknown).
        return CC_CODES.get(code)
    if "CONSTRUCTIBLE" in code or "INTERDIT" in code:
        return _classify_sector(typezone)
    if code.startswith("U"):
        return _classify_u(code, libelle, libelong)
    if code.startswith("AU"):
        return "au"
    if code.startswith("A"):
        return "a"
    if code.startswith("N"):
        return "n"
    return None


def classify(criterion, raw):
    """Value key of ``criterion`` for a raw value, None when unknown.

    A value key of the criterion is returned as is. Numbers are classed with the v1.11 thresholds (surfaces in m²,
    distances in m, vacancy in %); booleans give oui / non; centre_ville takes the distance to the town hall (m),
    commerces_services the number of BPE services within 500 m, raccordement_eau and etat_bati the built area (m²);
    zonage_plu takes a CNIG typezone or libelle ("UB", "AUc", "N", "ZC"…), a sector type ("secteur constructible")
    or a dict typezone / libelle / libelong / destdomi (or typesect for a carte communale); a transit distance over
    TRANSPORT_SEARCH_RADIUS gives SEARCHED_NONE.
    ValueError for an unknown criterion or a raw value that fits none of these.
    """
    spec = _criterion(criterion)
    if _is_unknown(raw):
        return None
    if isinstance(raw, str):
        text = raw.strip()
        if text in spec.values or text == SEARCHED_NONE:
            return text
        if criterion == "zonage_plu":
            return _classify_plu(text)
        if criterion in BOOLEAN and text.lower() in ("true", "false"):
            return "oui" if text.lower() == "true" else "non"
        raise ValueError("%s: unknown value %r (expected one of %s)" % (criterion, raw, ", ".join(spec.values)))
    if criterion == "zonage_plu" and isinstance(raw, dict):
        return _classify_plu(raw)
    if isinstance(raw, bool):
        if criterion not in BOOLEAN:
            raise ValueError("%s is not a yes/no criterion" % criterion)
        return "oui" if raw else "non"
    if isinstance(raw, numbers.Real):
        x = float(raw)
        if criterion == "distance_transports" and x > TRANSPORT_SEARCH_RADIUS:
            return SEARCHED_NONE      # Mutafriches finds no stop within its search radius (null)
        if criterion in NUMERIC:
            _unit, bounds, above = NUMERIC[criterion]
            for bound, inclusive, key in bounds:
                if x < bound or (inclusive and x == bound):
                    return key
            return above
        if criterion in NUMBER_TO_BOOLEAN:
            return "oui" if NUMBER_TO_BOOLEAN[criterion](x) else "non"
        if criterion in BUILT_AREA_TO_STATE:
            return "pas_de_bati" if x <= 0 else None
    raise ValueError("%s: cannot classify %r" % (criterion, raw))


def _round_half_up(x, per_unit):
    """Round half up to 1/per_unit (JavaScript Math.round, as Mutafriches): per_unit 10 = 0.1, 2 = 0.5."""
    return math.floor(x * per_unit + 0.5) / per_unit


def evaluate(values, neutral_both_sides=True):
    """Indices of the 7 uses for ``values`` = {criterion: value key, None or "ne_sait_pas" when unknown,
    SEARCHED_NONE when searched without result (in the reliability only)}.

    Returns {"indices": {use: 0-100}, "A": {use}, "C": {use}, "reliability": 0-10, "known": [criteria],
    "searched": [criteria searched without result],
    "contributions": {use: [(criterion, weighted points)]} in table order, "indices_rounded", "reliability_rounded"}.
    ValueError for an unknown criterion or value key.
    """
    table = _load()
    known, searched = {}, set()
    for key, value in values.items():
        spec = _criterion(key)
        if _is_unknown(value):
            continue
        value = value.strip() if isinstance(value, str) else value
        if value == SEARCHED_NONE:
            searched.add(key)
            continue
        if value not in spec.values:
            raise ValueError("%s: unknown value %r (classify() turns raw values into keys)" % (key, value))
        known[key] = value
    ordered = [key for key in table if key in known]
    a = {use: 0.0 for use in USES}
    c = {use: 0.0 for use in USES}
    contributions = {use: [] for use in USES}
    for key in ordered:
        spec = table[key]
        for use in USES:
            note = spec.values[known[key]][use]
            weighted = NOTE_POINTS[note] * spec.weight
            contributions[use].append((key, weighted))
            if note == NEUTRAL and neutral_both_sides:
                a[use] += weighted
                c[use] += weighted
            elif weighted > 0:
                a[use] += weighted
            else:
                c[use] -= weighted
    indices = {use: (100.0 * a[use] / (a[use] + c[use]) if a[use] + c[use] > 0 else 0.0) for use in USES}
    reliability = sum(table[key].weight for key in table if key in known or key in searched) / TOTAL_WEIGHT * 10.0
    return {
        "indices": indices,
        "A": a,
        "C": c,
        "reliability": reliability,
        "known": ordered,
        "searched": [key for key in table if key in searched],
        "values": dict(known),
        "contributions": contributions,
        "indices_rounded": {use: _round_half_up(indices[use], 10) for use in USES},
        "reliability_rounded": _round_half_up(reliability, 2),
    }


def vocation_scores(result):
    """{vocation: (index, use behind it)}; for a max of two uses, the first one in VOCATION_USES wins a tie."""
    scores = {}
    for vocation in VOCATIONS:
        best = None
        for use in VOCATION_USES[vocation]:
            if best is None or result["indices"][use] > result["indices"][best]:
                best = use
        scores[vocation] = (result["indices"][best], best)
    return scores


def _strongest(result, use, sign):
    """Labels of the criteria weighing most for (sign > 0: notes P, TP) or against (NEG, TN) ``use``."""
    table = _load()
    order = {key: i for i, key in enumerate(table)}
    picked = [(key, weighted) for key, weighted in result["contributions"][use]
              if (weighted * sign >= table[key].weight)]      # |points| >= 1: leaves the neutral notes out
    picked.sort(key=lambda kw: (-abs(kw[1]), order[kw[0]]))
    labels = []
    for key, _weighted in picked:
        label = table[key].value_labels[result["values"][key]]
        if label not in labels:
            labels.append(label)
        if len(labels) == EXPLANATION_MAX:
            break
    return labels


def vocation(result):
    """(vocation, runner-up, explanation) for a result of evaluate(); ties broken in VOCATIONS order.

    Nothing known: (None, None, "Vocation indéterminée : aucun critère renseigné.").
    """
    if not result["known"]:
        return None, None, "Vocation indéterminée : aucun critère renseigné."
    scores = vocation_scores(result)
    ranked = sorted(VOCATIONS, key=lambda v: (-scores[v][0], VOCATIONS.index(v)))
    chosen, runner_up = ranked[0], ranked[1]
    index, use = scores[chosen]
    head = "Vocation %s (indice %d" % (VOCATION_LABELS[chosen], int(_round_half_up(index, 1)))
    if len(VOCATION_USES[chosen]) > 1:
        head += ", usage %s" % USE_LABELS[use]
    head += ")"
    pros = _strongest(result, use, 1)
    cons = _strongest(result, use, -1)
    explanation = "%s : %s ; contre : %s." % (
        head, ", ".join(pros) if pros else "aucun atout marqué", ", ".join(cons) if cons else "aucune contrainte")
    return chosen, runner_up, explanation
