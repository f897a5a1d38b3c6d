"""Friche candidates from land-use history, without QGIS (ocs:friches).

Legal frame: article L.111-26 of the code de l'urbanisme and décret n° 2023-1259 (art. D.111-54): a friche is
land left unused whose reuse needs works; unbuilt agricultural or forest land is never a friche. Reading of the
OCS codes (shared/reference/notes/heat_and_friches_methods.md, B3.1 [proposition resting on the nomenclatures
and the decree]):
- friche usage: OCS GE US6.2 (zones abandonnées); OCS2D US6.2.1 (friches économiques), US6.2.2 (vacants
  urbains). OCS2D US6.2.3 (espaces agricoles non exploités) is never a friche;
- transition: OCS GE US6.1, OCS2D US6.1.1 / US6.1.2: a candidate ("friche avec projet") only when an earlier
  vintage was a friche or in an urban usage;
- no usage: OCS GE US6.3 / US6.6, OCS2D US7.0.0: a candidate only on a built or sealed couverture after an
  urban usage;
- history: urban usage then friche = appearance of a friche (end of activity between the two vintages); friche
  then transition = friche avec projet; friche then another usage = friche reconvertie.
"""
import dataclasses
from collections import Counter
from typing import List, Optional

from . import mutafriches as mf
from . import nomenclature as nom

FRICHE = "friche"
TRANSITION = "transition"
NO_USAGE = "sans_usage"
URBAN = "urbain"
OTHER = "autre"

STATUTS = ("friche potentielle", "friche sans projet", "friche avec projet", "friche reconvertie")


def family(nomenclature_key):
    return "ocsge" if nomenclature_key == nom.OCSGE else "ocs2d"


def modern(nomenclature_key, cs, us):
    """OCS2D legacy codes recoded to 2021; other codes unchanged."""
    if nomenclature_key == nom.OCS2D_NPDC:
        legacy = nom.legacy_to_2021()
        return legacy["cs"].get(cs), legacy["us"].get(us)
    return cs, us


def role(fam, us):
    """Role of a usage code in the history of a site."""
    if us is None:
        return None
    if fam == "ocsge":
        if us == "US6.2":
            return FRICHE
        if us == "US6.1":
            return TRANSITION
        if us in ("US6.3", "US6.6"):
            return NO_USAGE
    else:
        if us in ("US6.2.1", "US6.2.2"):
            return FRICHE
        if us in ("US6.1.1", "US6.1.2"):
            return TRANSITION
        if us == "US7.0.0":
            return NO_USAGE
    if us[:3] in ("US2", "US3", "US4", "US5"):
        return URBAN
    return OTHER


def sealed(fam, cs):
    """Built or sealed couverture (OCS GE CS1.1.x; OCS2D CS1.1.x)."""
    return cs is not None and cs.startswith("CS1.1")


def is_candidate(fam, history):
    """Is a polygon a friche candidate? ``history``: [(year, cs, us)] in time order (normalised codes)."""
    roles = [role(fam, us) for _y, _cs, us in history]
    if FRICHE in roles:
        return True
    last_role = roles[-1]
    if fam == "ocs2d" and history[-1][2] == "US6.1.2":
        return True             # extraction en mutation: a quarry at the end of its working life (B3.1)
    earlier_urban = any(r == URBAN for r in roles[:-1])
    if last_role == TRANSITION and earlier_urban:
        return True
    if last_role == NO_USAGE and earlier_urban and sealed(fam, history[-1][1]):
        return True
    return False


# Urban activity of a usage code, shared by the CNIG site type (before) and reconversion type (after): OCS2D has a
# commerce usage (US2.2) and public facilities (US3); OCS GE counts its services (US3) as commerce.
RECONVERSION_LABELS = {"habitat": "habitat", "mixte": "mixte", "commerce": "commerce", "industrie": "industrie",
                       "equipement": "équipement public"}
SITE_LABELS = {"habitat": "friche d'habitat", "mixte": "mixte", "commerce": "friche commerciale",
               "industrie": "friche industrielle", "equipement": "friche d'équipement public"}


def _activity(fam, us):
    if us.startswith("US5"):
        return "habitat"
    if us.startswith("US235"):
        return "mixte"
    if fam == "ocs2d" and us.startswith("US2.2"):
        return "commerce"
    if us.startswith("US2"):
        return "industrie"
    if us.startswith("US3"):
        return "equipement" if fam == "ocs2d" else "commerce"
    return None


def reconversion_type(fam, cs, us):
    """CNIG site_reconv_type of the usage a friche turned into."""
    if us is None:
        return None
    if us == "US2.1.4":
        return "panneaux photovoltaïques"
    if us == "US3.2.1" or us.startswith("US1") or (cs and (cs.startswith("CS2") if fam == "ocsge"
                                                         else cs[:3] in ("CS4", "CS5", "CS6"))):
        return "renaturation"
    activity = _activity(fam, us)
    if activity is not None:
        return RECONVERSION_LABELS[activity]
    if us.startswith("US4"):
        return "aménagement d'espace public"
    return None


def site_type(fam, us):
    """CNIG site_type from the last urban usage before the friche (None when unknown)."""
    if us is None:
        return None
    if us.startswith("US1.3") or us == "US6.1.2":
        return "Friche carrière ou mine"
    if us.startswith("US1"):
        return "friche agro-industrielle"
    transport = {"ocsge": (("US4.1.2", "friche ferroviaire"), ("US4.1.3", "friche aéroportuaire"),
                           ("US4.1.4", "friche portuaire"), ("US4.2", "friche logistique")),
                 "ocs2d": (("US4.2", "friche ferroviaire"), ("US4.3", "friche aéroportuaire"),
                           ("US4.4", "friche portuaire"))}[fam]
    for prefix, label in transport:
        if us.startswith(prefix):
            return label
    activity = _activity(fam, us)
    return None if activity is None else SITE_LABELS[activity]


def site_history(fam, history):
    """Status and dates of a site from its dominant usage per vintage ``history`` [(year, cs, us)].

    Returns {'statut', 'periode_abandon' (text or None), 'activite_fin' ((y0, y1) or None), 'reconv_type',
    'reconv_annee', 'site_type', 'texte'} — 'texte' like "US2.1.1 (2005) → US6.2.1 (2015) → US6.2.1 (2021)".
    """
    roles = [role(fam, us) for _y, _cs, us in history]
    text = " → ".join("%s (%s)" % (us or "?", year) for year, _cs, us in history)
    result = {"texte": text, "statut": "friche potentielle", "periode_abandon": None, "activite_fin": None,
              "reconv_type": None, "reconv_annee": None, "site_type": None}
    before = [us for (_y, _cs, us), r in zip(history, roles) if r == URBAN or (us and us.startswith("US1.3"))]
    if FRICHE in roles:
        first = roles.index(FRICHE)
        if first == 0:
            result["periode_abandon"] = "avant %s" % history[0][0]
        else:
            result["periode_abandon"] = "entre %s et %s" % (history[first - 1][0], history[first][0])
            if roles[first - 1] == URBAN:
                result["activite_fin"] = (history[first - 1][0], history[first][0])
        earlier = [us for (_y, _cs, us), r in zip(history[:first], roles[:first]) if r == URBAN]
        result["site_type"] = site_type(fam, earlier[-1]) if earlier else None
        last = roles[-1]
        if last in (FRICHE, NO_USAGE, None):  # still unused (US7.0.0, US6.3/US6.6) or unknown after the friche
            result["statut"] = "friche potentielle"
        elif last == TRANSITION:
            result["statut"] = "friche avec projet"
        else:
            last_friche = max(i for i, r in enumerate(roles) if r == FRICHE)
            result["statut"] = "friche reconvertie"
            _year, cs, us = history[-1]
            result["reconv_type"] = reconversion_type(fam, cs, us)
            result["reconv_annee"] = history[last_friche + 1][0]
    else:
        result["site_type"] = site_type(fam, before[-1]) if before else None
        if history[-1][2] == "US6.1.2":
            result["site_type"] = "Friche carrière ou mine"
        result["statut"] = "friche avec projet" if roles[-1] == TRANSITION and history[-1][2] != "US6.1.2" \
            else "friche potentielle"
        urban = [i for i, r in enumerate(roles) if r == URBAN]
        if urban and urban[-1] < len(roles) - 1:
            i = urban[-1]
            result["periode_abandon"] = "entre %s et %s" % (history[i][0], history[i + 1][0])
            result["activite_fin"] = (history[i][0], history[i + 1][0])
    return result


def dominant(usages):
    """The (cs, us) of the largest area in {(cs, us): m²} (ties: the smallest code, for determinism)."""
    if not usages:
        return (None, None)
    return max(sorted(usages.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))), key=lambda kv: kv[1])[0]


# -- sites ---------------------------------------------------------------------------------------------------

CENTRE_DISTANCE = 1000.0       # town centre: the town hall within 1 km (Mutafriches centre_ville)


@dataclasses.dataclass
class Site:
    """A friche site: from the land cover (``members`` = its candidate polygons, ``history`` = site_history of
    its dominant usages) or from the inventory only (no members, no history); then its context.

    ``geometry`` and ``point`` are the engine's geometries (in a metric CRS), ``area`` in m², ``shares``
    {cover group or 'artif': m²}. The context values stay None when the layer was not given."""

    geometry: object
    area: float
    members: list = dataclasses.field(default_factory=list)
    shares: Counter = dataclasses.field(default_factory=Counter)
    history: Optional[dict] = None
    source: str = "OCS"
    inventory_ids: List[str] = dataclasses.field(default_factory=list)
    inventory_names: List[str] = dataclasses.field(default_factory=list)
    inventory_status: Optional[str] = None
    inventory_type: Optional[str] = None
    point: object = None
    dans_enveloppe: Optional[int] = None
    dist_mairie_m: Optional[float] = None
    dist_gare_m: Optional[float] = None
    services_500m: Optional[int] = None
    inondable: Optional[int] = None
    protege: Optional[int] = None
    protege_proche: Optional[int] = None
    pollution: Optional[int] = None
    urba_zone_type: Optional[str] = None
    # the labels of the dominant zone ({typezone, libelle, libelong, destdomi} or {typesect, libelle}), read by
    # Mutafriches as well as its code
    urba_zone: Optional[dict] = None
    # True when a STATIONS layer was searched: no station (or none within 2 km) is then "searched, no result"
    stations_searched: bool = False
    comm_insee: Optional[str] = None
    comm_nom: Optional[str] = None


def criteria(site):
    """{Mutafriches criterion: value key or None} of a Site (mf.classify of what the site tells)."""
    built = site.shares.get("bati", 0.0)
    values = {"surface_site": site.area}
    if site.history is not None:
        values["surface_batie"] = built
        values["etat_bati"] = built
        values["raccordement_eau"] = built
    if site.dist_mairie_m is not None:
        values["centre_ville"] = site.dist_mairie_m
    if site.dist_gare_m is not None:
        values["distance_transports"] = site.dist_gare_m
    elif site.stations_searched:
        values["distance_transports"] = mf.SEARCHED_NONE
    if site.services_500m is not None:
        values["commerces_services"] = site.services_500m
    if site.inondable is not None:
        values["risque_inondation"] = bool(site.inondable)
    if site.pollution is not None:
        values["pollution"] = "autres" if site.pollution else "non"
    if site.protege is not None:
        values["zonage_environnemental"] = "natura_2000" if site.protege else (
            "proximite" if site.protege_proche else "hors_zone")
    if site.urba_zone:
        values["zonage_plu"] = site.urba_zone
    elif site.urba_zone_type:
        values["zonage_plu"] = site.urba_zone_type
    classified = {}
    for criterion, raw in values.items():
        try:
            classified[criterion] = mf.classify(criterion, raw)
        except ValueError:
            classified[criterion] = None
    return classified


def site_values(site, number):
    """{output field: value} of a Site numbered ``number`` (1-based, in output order), the Mutafriches indices,
    reliability and vocation included; the geometry is not."""
    history = site.history or {}
    area = site.area
    shares = site.shares

    def share(*groups):
        if not site.members:
            return None
        return sum(shares.get(g, 0.0) for g in groups) / area if area else None
    insee = site.comm_insee
    site_id = site.inventory_ids[0] if site.source == "inventaire" else "OCS-%s-%04d" % (insee or "00000", number)
    result = mf.evaluate(criteria(site))
    vocation, runner_up, explanation = mf.vocation(result)
    fin = history.get("activite_fin")
    centre = None if site.dist_mairie_m is None else int(site.dist_mairie_m < CENTRE_DISTANCE)
    statut = site.inventory_status or history.get("statut") or "friche potentielle"
    values = {
        "site_id": site_id,
        "site_nom": (site.inventory_names[0] if site.inventory_names else
                     "Site OCS n° %d%s" % (number, " (%s)" % insee if insee else "")),
        "site_type": site.inventory_type or history.get("site_type"),
        "site_statut": statut, "comm_insee": insee, "site_surface": area, "source": site.source,
        "inventaire_id": "|".join(site.inventory_ids) or None,
        "historique_usage": history.get("texte"), "periode_abandon": history.get("periode_abandon"),
        "activite_fin_annee": int(fin[1]) if fin else None,
        "site_reconv_type": history.get("reconv_type"),
        "site_reconv_annee": int(history["reconv_annee"]) if history.get("reconv_annee") else None,
        "part_bati": share("bati"), "part_impermeable": share("bati", "impermeable"),
        "part_artificialisee": share("artif"), "part_ligneuse": share("arboree", "arbustive"),
        "part_herbacee": share("herbacee"), "part_eau": share("eau"),
        "surface_batie_m2": shares.get("bati", 0.0) if site.members else None,
        "dans_enveloppe": site.dans_enveloppe, "dist_mairie_m": site.dist_mairie_m,
        "centre_ville": centre, "dist_gare_m": site.dist_gare_m,
        "services_500m": site.services_500m, "inondable": site.inondable,
        "urba_zone_type": site.urba_zone_type, "protege": site.protege,
        "pollution": site.pollution,
        "fiabilite": result["reliability"], "vocation": vocation, "vocation_2": runner_up,
        "explication": explanation}
    for use in mf.USES:
        values["idx_%s" % use] = result["indices"][use]
    return values


def output_order(sites):
    """The sites in output order: by commune (INSEE code), then the largest first."""
    return sorted(sites, key=lambda s: (s.comm_insee or "", -s.area))
