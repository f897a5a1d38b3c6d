"""The figures of the commune portraits of ``ocs:atlas`` (issue #20), from the engine of ``ocs:territoryflows``
and ``ocs:zantrajectory``: one ChangeJob feeds one core.changes.Transitions, read here three ways —

- land cover of the last vintage per zone (4 postes on OCS2D, couverture level 1 on OCS GE): the stocks of the
  period first → last (``Transitions.stocks``), as ocs:territoryflows writes its stock columns;
- ENAF consumed first → last by destination: ``core.changes.flow_values`` of the same period, the figures of the
  ``conso_*_<first>_<last>_ha`` columns of ocs:territoryflows;
- ZAN: ``core.zan.figures_per_zone`` on the consecutive periods, as ocs:zantrajectory does;

then the territory (all zones together), the ranks and the sentences (core/atlas.py). The pieces of the period
first → last are kept for the maps (class of the last vintage, type of change).
"""
import dataclasses

from qgis.core import QgsProcessingFeedback

from ..core import atlas as text
from ..core import changes as ch
from ..core import nomenclature as nom
from ..core import zan
from . import changes, landcover

# Flow columns of the portrait (first → last), as in ocs:territoryflows.
FLOWS = ("conso_enaf", "conso_habitat", "conso_activite", "conso_infra", "conso_autre", "artif", "desartif")


def cover_target(source, enum_index, vintage=""):
    """("p4", "cs") on OCS2D, ("niv1", "cs") on OCS GE (4 postes are defined on OCS2D codes only): the
    nomenclature is detected quietly on a sample, as ChangeJob will do again."""
    try:
        vintages = landcover.resolve_vintages(source, vintage, None, None, QgsProcessingFeedback())
        key = landcover.choose_nomenclature(source, vintages, enum_index, QgsProcessingFeedback())
    except Exception:   # noqa: BLE001 — ChangeJob says what is wrong with the layer, with its own message
        return "p4", "cs"
    return ("niv1", "cs") if key == nom.OCSGE else ("p4", "cs")


@dataclasses.dataclass
class Portrait:
    """The figures of one zone (ha), its ranks among the zones and its sentences."""

    code: str
    name: str
    surface_ha: float
    cover: dict                 # {class code: ha} at the last vintage
    flows: dict                 # {FLOWS name: ha} first → last
    zan: object                 # core.zan.ZoneFigures
    ranks: dict = dataclasses.field(default_factory=dict)       # {"conso_enaf": rank}
    sentences: dict = dataclasses.field(default_factory=dict)   # {"cover"|"conso"|"zan"|"rank": text}
    matrix: dict = dataclasses.field(default_factory=dict)      # {(from, to): ha} first → last


@dataclasses.dataclass
class AtlasFigures:
    """Every zone's Portrait, the territory's (zone ``zan.TOTAL``), the periods and the pieces for the maps."""

    portraits: list             # [Portrait] of the zones, in zone order
    territory: Portrait
    period: tuple               # (first, last) vintages
    objective: tuple            # the ZAN objective decade
    years: object               # years between first and last (None when they are not years)
    target: str                 # "p4" or "niv1"
    pieces: list                # [(geometry, zone, class code, type of change)] first → last
    codes: list = dataclasses.field(default_factory=list)       # classes of the period, in nomenclature order
    classes: dict = dataclasses.field(default_factory=dict)     # {code: (label, colour)}


def compute(job, trajectory, feedback=None):
    """AtlasFigures of a ChangeJob (with zones; every period: ``all_periods``), or None when cancelled."""
    transitions = ch.Transitions()
    period = (job.years[0], job.years[-1])
    pieces = []

    def collect(geometry, zone, before, after, area):
        if zone == ch.OUTSIDE_ZONES:    # the land around the zones is compared, not mapped
            return
        pieces.append((geometry, zone, after.code, ch.change_type(before, after)))

    if not job.run(transitions, collect, period):
        return None
    consecutive = [p for p in job.periods if p != period or len(job.years) == 2]
    zan_rows = {label: figures for label, _key, figures in
                zan.figures_per_zone(transitions, consecutive, trajectory, zoned=True)}
    portraits = []
    for zone in transitions.zones():
        if zone in (ch.OUTSIDE_ZONES, None):
            continue
        portraits.append(_portrait(transitions, period, zone, job.zone_names.get(zone, ""), zan_rows[zone]))
    territory = _territory(portraits, zan_rows[zan.TOTAL])
    rank = text.ranks({p.code: p.flows["conso_enaf"] for p in portraits})
    for portrait in portraits:
        portrait.ranks["conso_enaf"] = rank.get(portrait.code)
    return AtlasFigures(portraits, territory, period, trajectory.objective, ch.years_between(period), job.target,
                        pieces, transitions.codes(period), dict(transitions.classes))


def _portrait(transitions, period, key, name, zan_figures):
    flows = ch.flow_values(transitions.zone_flows(period, key))
    cover = {code: area / 1e4 for code, area in transitions.stocks(period, key)[1].items()}
    return Portrait(str(key), name, transitions.total(period, key) / 1e4, cover,
                    {flow: flows[flow] / 1e4 for flow in FLOWS}, zan_figures,
                    matrix={pair: area / 1e4 for pair, area in transitions.matrix(period, key).items()})


def _territory(portraits, zan_figures):
    """The Portrait of all the zones together (the land outside every zone left out); its ZAN figures are those
    of ocs:zantrajectory's total row."""
    def summed(attribute):
        total = {}
        for portrait in portraits:
            for key, value in getattr(portrait, attribute).items():
                total[key] = total.get(key, 0.0) + value
        return total
    return Portrait(zan.TOTAL, "", sum(p.surface_ha for p in portraits), summed("cover"), summed("flows"),
                    zan_figures, matrix=summed("matrix"))


def write_sentences(figures, language):
    """The sentences of every portrait (and of the territory) in ``language``."""
    count = len(figures.portraits)
    destinations = ("habitat", "activite", "infra", "autre")
    for portrait in figures.portraits + [figures.territory]:
        place = portrait.name or (text.page_text("territory", language) if portrait.code == zan.TOTAL else None)
        by_destination = {d: portrait.flows["conso_" + d] for d in destinations}
        cover = {int(code): ha for code, ha in portrait.cover.items() if str(code).isdigit()} \
            if figures.target == "p4" else {}
        sentences = {"cover": text.cover_sentence(figures.period[1], cover, language, place) if cover else "",
                     "conso": text.consumption_sentence(figures.period, portrait.flows["conso_enaf"],
                                                        by_destination, language)
                     if figures.years else ""}
        z = portrait.zan
        sentences["zan"] = text.zan_sentence(figures.objective, z.allowance_ha, z.observed_ha, language) \
            if z.allowance_ha is not None else ""
        rank = portrait.ranks.get("conso_enaf")
        sentences["rank"] = text.rank_sentence(portrait.name or portrait.code, rank, count,
                                               text.page_text("rank_what", language), language) \
            if rank is not None and count > 1 else ""
        portrait.sentences = sentences


def portrait_values(portrait, figures, language):
    """{field of core.atlas.FIELDS: value} of one zone (chart paths left empty: the caller writes the charts)."""
    years = figures.years
    conso = portrait.flows["conso_enaf"]
    z = portrait.zan
    values = {
        "code": portrait.code, "nom": portrait.name, "fichier": text.file_stem(portrait.code, portrait.name),
        "periode": "%s-%s" % figures.period, "annees": years, "surface_ha": portrait.surface_ha,
        "conso_enaf_ha": conso, "conso_enaf_ha_an": conso / years if years else None,
        "conso_enaf_pct": 100.0 * conso / portrait.surface_ha if portrait.surface_ha else None,
        "artif_ha": portrait.flows["artif"], "desartif_ha": portrait.flows["desartif"],
        "rang_conso": portrait.ranks.get("conso_enaf"), "nb_zones": len(figures.portraits),
        "conso_enaf_territoire_ha": figures.territory.flows["conso_enaf"],
        "periode_objectif": "%s-%s" % figures.objective, "conso_reference_ha": z.reference.conso_ha,
        "enveloppe_ha": z.allowance_ha, "conso_objectif_ha": z.observed_ha, "reste_ha": z.remaining_ha,
        "titre_carte": text.page_text("cover", language, year=figures.period[1]),
        "phrase_occupation": portrait.sentences.get("cover", ""), "phrase_conso": portrait.sentences.get("conso", ""),
        "phrase_zan": portrait.sentences.get("zan", ""), "phrase_rang": portrait.sentences.get("rank", ""),
        "graphique": "", "graphique_zan": "", "graphique_trajectoire": "", "graphique_bilan": ""}
    for destination in ("habitat", "activite", "infra", "autre"):
        values["conso_%s_ha" % destination] = portrait.flows["conso_" + destination]
    for code, field in text.POSTES_FIELDS.items():
        values[field] = portrait.cover.get(code, 0.0) if figures.target == "p4" else None
    values["urbanise_pct"] = 100.0 * values["urbanise_ha"] / portrait.surface_ha \
        if values["urbanise_ha"] is not None and portrait.surface_ha else None
    values["chiffres"] = text.key_figures(values, figures.period, figures.objective, language)
    return values


def charts(portrait, figures, language):
    """(consumption SVG, ZAN SVG or None) of a zone."""
    by_destination = {d: portrait.flows["conso_" + d] for d in ("habitat", "activite", "infra", "autre")}
    z = portrait.zan
    return (text.consumption_chart(figures.period, by_destination, language),
            text.zan_chart(figures.objective, z.allowance_ha, z.observed_ha, language))


def change_charts(portrait, figures, language):
    """(gains and losses SVG, ZAN trajectory SVG or None) of a zone, from the same Transitions as its figures."""
    colours = {code: colour for code, (_label, colour) in figures.classes.items()}
    labels = {code: label for code, (label, _colour) in figures.classes.items()}
    bilan = text.gains_losses_chart(figures.period, text.gains_losses(portrait.matrix, figures.codes), colours,
                                    language, labels)
    z = portrait.zan
    until = [int(p.period[1]) for p in z.periods if zan.overlap(p.period, *figures.objective)]
    trajectory = text.zan_trajectory_chart(z.trajectory.reference, figures.objective, (
        z.reference.conso_ha, z.allowance_ha, z.observed_ha, max(until) if until else None), language)
    return bilan, trajectory
