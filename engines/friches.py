"""The engine of ocs:friches: friche candidates from the land-use history, grouped into sites, matched with an
inventory (CNIG friches standard), set in their context (enveloppe urbaine, town halls, stations, services, flood
areas, protected areas, polluted sites, PLU zoning, communes), then written with their Mutafriches indices and
vocation (the rules are in core/friches.py and core/mutafriches.py).

Plain values in, plain values out: a ``landcover.LandCover``, a ``Layers`` of optional context sources, the sink
made by the caller. Every geometry is in the working CRS (``working_crs``): the land cover's, or the CRS of the
measures when the land cover's does not measure true metres (landcover.metric_frame). Progress: 0–30 % reading
the land cover.
"""
import csv
import dataclasses
import datetime
from collections import Counter

from qgis.core import (
    QgsFeature,
    QgsFeatureSink,
    QgsFields,
    QgsGeometry,
    QgsPointXY,
    QgsProcessingException,
    QgsRectangle,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QCoreApplication

from .. import compat
from ..core import friches as fr
from ..core import heat
from ..core import mutafriches as mf
from ..core import nomenclature as nom
from ..core import rules
from . import landcover, spatial
from ..language import number as local_number

translate = QCoreApplication.translate
# BPE codes counted as shops and services by Mutafriches (criterion commerces_services, within 500 m).
BPE_SERVICES = ("B104", "B105", "B201", "B202", "B204", "B206", "B207", "A203", "A206", "A207", "A208", "D307")
CENTRE_DISTANCE = fr.CENTRE_DISTANCE
STATION_DISTANCE = 500.0
SERVICES_DISTANCE = 500.0
PROTECTED_NEAR = 500.0
INVENTORY_POINT_RADIUS = 10.0
# CNIG friches Table Schema (v1.0.4) column order, for OUTPUT_CSV.
CNIG_COLUMNS = (
    "site_id", "site_nom", "site_type", "site_adresse", "site_identif_date", "site_actu_date", "site_url",
    "site_ademe_url", "site_securite", "site_occupation", "site_statut", "site_projet_url", "site_reconv_annee",
    "site_reconv_type", "activite_libelle", "activite_code", "activite_fin_annee", "comm_nom", "comm_insee",
    "bati_type", "bati_nombre", "bati_surface", "bati_pollution", "bati_vacance", "bati_patrimoine", "bati_etat",
    "local_ancien_annee", "local_recent_annee", "proprio_type", "proprio_personne", "proprio_nom",
    "sol_pollution_annee", "sol_pollution_existe", "sol_pollution_origine", "sol_pollution_commentaire",
    "sol_depollution_fiche", "unite_fonciere_surface", "unite_fonciere_refcad", "urba_zone_type", "urba_zone_lib",
    "urba_zone_formdomi", "urba_doc_type", "desserte_distance", "desserte_commentaire", "source_nom", "source_url",
    "source_producteur", "source_contact", "geompoint", "geomsurf")
# The output fields of the sites layer, in order.
COLUMNS = [("site_id", "str"), ("site_nom", "str"), ("site_type", "str"), ("site_statut", "str"),
           ("comm_insee", "str"), ("site_surface", "double"), ("source", "str"), ("inventaire_id", "str"),
           ("historique_usage", "str"), ("periode_abandon", "str"), ("activite_fin_annee", "int"),
           ("site_reconv_type", "str"), ("site_reconv_annee", "int"), ("part_bati", "double"),
           ("part_impermeable", "double"), ("part_artificialisee", "double"), ("part_ligneuse", "double"),
           ("part_herbacee", "double"), ("part_eau", "double"), ("surface_batie_m2", "double"),
           ("dans_enveloppe", "int"), ("dist_mairie_m", "double"), ("centre_ville", "int"),
           ("dist_gare_m", "double"), ("services_500m", "int"), ("inondable", "int"),
           ("urba_zone_type", "str"), ("protege", "int"), ("pollution", "int")] + \
    [("idx_%s" % use, "double") for use in mf.USES] + \
    [("fiabilite", "double"), ("vocation", "str"), ("vocation_2", "str"), ("explication", "str")]


@dataclasses.dataclass
class Layers:
    """The optional context sources (None when not given) and the fields named for them ('' = guess)."""

    inventory: object = None
    town_halls: object = None
    stations: object = None
    services: object = None
    services_type_field: str = ""
    flood: object = None
    zoning: object = None
    zoning_type_field: str = ""
    protected: object = None
    pollution: object = None
    zones: object = None
    zone_field: str = ""


@dataclasses.dataclass
class Candidate:
    """A friche-candidate polygon: its geometry (repaired, working CRS), area (m²), history [(year, cs, us,
    modern cs, modern us)], heat-cover group and artificialisation status of its last vintage."""

    geometry: object
    area: float
    history: list
    group: object
    artif: object


@dataclasses.dataclass
class Candidates:
    """``polygons`` {fid: Candidate}; ``members`` {fid: geometry} of the polygons of the enveloppe urbaine."""

    polygons: dict
    members: dict


def working_crs(cover):
    """The CRS every geometry is worked in: the land cover's when it is kept, else the CRS of the measures
    (landcover.metric_frame)."""
    return cover.transform.destinationCrs() if cover.transform is not None else cover.crs


def transform_to(source, crs, context):
    """The transform from a context layer to the working CRS (None when the same), said nowhere in the log."""
    return landcover.reprojection(source.sourceCrs(), crs, context)


# -- candidates and sites ---------------------------------------------------------------------------------------

def history_reader(key):
    """(cs raw, us raw) → (cs, us, modern cs, modern us), memoised."""
    def codes(cs_raw, us_raw):
        cs, us = nom.normalise_code(cs_raw), nom.normalise_code(us_raw)
        return (cs, us) + fr.modern(key, cs, us)
    return landcover.PairMemo(codes)


def candidates(cover, feedback):
    """The Candidates of a LandCover (None when cancelled)."""
    key, fam, transform = cover.nomenclature, fr.family(cover.nomenclature), cover.transform
    fields = cover.source.fields()
    indexes = [(v.vintage, fields.lookupField(v.cs_field), fields.lookupField(v.us_field)) for v in cover.vintages]
    coefficients = heat.Coefficients(key)
    classifier = rules.Reclassifier(key, ["artif"])
    envelope_rule = rules.envelope_predicate(key)
    codes_of = history_reader(key)
    polygons, members, excluded = {}, {}, Counter()
    total = cover.source.featureCount() or 1
    step = max(1, total // 50)
    for count, feature in enumerate(landcover.features(cover.source)):
        if count % step == 0:
            if feedback.isCanceled():
                return None
            feedback.setProgress(30.0 * count / total)
        attributes = feature.attributes()
        history = [(year,) + codes_of(attributes[cs_index], attributes[us_index])
                   for year, cs_index, us_index in indexes]
        last_cs, last_us = history[-1][1], history[-1][2]
        member = envelope_rule(last_cs, last_us)
        candidate = fr.is_candidate(fam, [(y, c, u) for y, _c, _u, c, u in history])
        if not candidate and any(u == "US6.2.3" for _y, _c, _u, _c2, u in history):
            excluded["US6.2.3"] += 1
        if not member and not candidate:
            continue
        geometry = feature.geometry()
        if geometry is None or geometry.isNull() or geometry.isEmpty():
            continue
        geometry = QgsGeometry(geometry)
        if transform is not None:
            geometry.transform(transform)
        if member:
            members[feature.id()] = geometry
        if candidate:
            geometry = spatial.repaired(geometry) or geometry
            group = coefficients.classes[coefficients.class_id(last_cs, last_us) - 1].group \
                if coefficients.class_id(last_cs, last_us) else None
            artif = classifier.artif_value(last_cs, last_us) if last_cs and last_us else None
            polygons[feature.id()] = Candidate(geometry, geometry.area(), history, group, artif)
    if excluded:
        feedback.pushInfo(translate(
            "FrichesAlgorithm", "{0} polygons with US6.2.3 (espaces agricoles non exploités) are never "
            "friches (décret 2023-1259).").format(excluded["US6.2.3"]))
    feedback.pushInfo(translate("FrichesAlgorithm", "{0} candidate polygons ({1} ha).").format(
        len(polygons), local_number(sum(p.area for p in polygons.values()) / 1e4, 2)))
    return Candidates(polygons, members)


def site_of(polygons, group, fam, years, area):
    """The Site of a group of touching candidate polygons: dominant usage per vintage, cover shares, union."""
    dominant = []
    for position, year in enumerate(years):
        usages = Counter()
        for fid in group:
            _y, _cs, _us, cs, us = polygons[fid].history[position]
            usages[(cs, us)] += polygons[fid].area
        cs, us = fr.dominant(usages)
        dominant.append((year, cs, us))
    shares = Counter()
    for fid in group:
        shares[polygons[fid].group] += polygons[fid].area
        if polygons[fid].artif == 1:
            shares["artif"] += polygons[fid].area
    geometry = QgsGeometry.unaryUnion([polygons[f].geometry for f in group]) if len(group) > 1 \
        else QgsGeometry(polygons[group[0]].geometry)
    return fr.Site(geometry, area, group, shares, fr.site_history(fam, dominant))


def sites(polygons, fam, years, min_area, feedback):
    """[Site] of the groups of touching candidate polygons of at least ``min_area`` m² (the others are counted
    in the log), in the order of their smallest fid."""
    groups = spatial.clusters({fid: p.geometry for fid, p in polygons.items()}) if polygons else []
    found = []
    small, small_area = 0, 0.0
    for group in sorted(groups, key=lambda g: min(g)):
        area = sum(polygons[f].area for f in group)
        if area < min_area:
            small += 1
            small_area += area
            continue
        found.append(site_of(polygons, group, fam, years, area))
    if small:
        feedback.reportError(translate(
            "FrichesAlgorithm", "{0} candidate sites under MIN_AREA_M2 ({1} m² in all) are left out.")
            .format(small, local_number(small_area, 0)), False)
    feedback.pushInfo(translate("FrichesAlgorithm", "{0} sites from the land cover.").format(len(found)))
    return found


def add_inventory(source, transform, found, feedback):
    """Match the inventory's sites with ``found`` (by intersection) and add those not found; returns the list."""
    names = source.fields().names()

    def value(feature, field):
        return None if field not in names or nom.is_null(feature[field]) else str(feature[field])

    index = spatial.box_index({i: s.geometry for i, s in enumerate(found)})
    matched, added = 0, 0
    for feature, geometry in landcover.geometries(source, transform):
        identifier = value(feature, "site_id") or "inventaire-%d" % feature.id()
        hits = [i for i in index.intersects(geometry.boundingBox()) if found[i].geometry.intersects(geometry)]
        if hits:
            matched += 1
            for i in hits:
                site = found[i]
                site.source = "OCS+inventaire"
                site.inventory_ids.append(identifier)
                if value(feature, "site_nom"):
                    site.inventory_names.append(value(feature, "site_nom"))
                site.inventory_status = site.inventory_status or value(feature, "site_statut")
                site.inventory_type = site.inventory_type or value(feature, "site_type")
            continue
        added += 1
        if QgsWkbTypes.geometryType(geometry.wkbType()) != compat.GEOMETRY_POLYGON:
            geometry = geometry.buffer(INVENTORY_POINT_RADIUS, 8)
        found.append(fr.Site(geometry, geometry.area(), [], Counter(), None, "inventaire", [identifier],
                              [value(feature, "site_nom")] if value(feature, "site_nom") else [],
                              value(feature, "site_statut"), value(feature, "site_type")))
    feedback.pushInfo(translate(
        "FrichesAlgorithm", "Inventory: {0} sites matched to the land cover, {1} added (not found in the "
        "land cover).").format(matched, added))
    return found


def envelope(members):
    """The enveloppe urbaine of {fid: geometry} as Prepared parts, or None."""
    if not members:
        return None
    parts = spatial.envelope_parts(list(members.values()))
    if not parts:
        return None
    return spatial.Prepared(parts)


# -- context --------------------------------------------------------------------------------------------------

def locate(found, enveloppe):
    """Each site's point on surface, and whether it lies in the enveloppe urbaine (None without one)."""
    for site in found:
        site.point = site.geometry.pointOnSurface()
        site.dans_enveloppe = None if enveloppe is None else int(enveloppe.intersects(site.point))


def services_points(source, transform, type_field, feedback):
    """Points of the shops and services: those of a BPE type of BPE_SERVICES, or all without a type field."""
    if type_field:
        return Points((f, g) for f, g in landcover.geometries(source, transform)
                      if not nom.is_null(f[type_field]) and str(f[type_field]).strip().upper() in BPE_SERVICES)
    kept = landcover.geometries(source, transform)
    feedback.reportError(translate(
        "FrichesAlgorithm", "SERVICES_TYPE_FIELD is empty: every point of SERVICES counts as a shop or "
        "service."), False)
    return Points(kept)


def distances(found, layers, crs, context, feedback):
    """dist_mairie_m, dist_gare_m and services_500m of each site, for the layers given."""
    if layers.town_halls is not None:
        points = Points(landcover.geometries(layers.town_halls, transform_to(layers.town_halls, crs, context)))
        for site in found:
            site.dist_mairie_m = points.distance(site.geometry)
    if layers.stations is not None:
        points = Points(landcover.geometries(layers.stations, transform_to(layers.stations, crs, context)))
        for site in found:
            site.dist_gare_m = points.distance(site.geometry)
            site.stations_searched = True
    if layers.services is not None:
        points = services_points(layers.services, transform_to(layers.services, crs, context),
                                 layers.services_type_field, feedback)
        for site in found:
            site.services_500m = points.count_within(site.geometry, SERVICES_DISTANCE)


def overlays(found, layers, crs, context):
    """inondable, protege (and protege_proche within 500 m) and pollution of each site, for the layers given."""
    for layer, key in ((layers.flood, "inondable"), (layers.protected, "protege"), (layers.pollution, "pollution")):
        if layer is None:
            continue
        shapes = spatial.Prepared([g for _f, g in landcover.geometries(layer, transform_to(layer, crs, context))])
        for site in found:
            setattr(site, key, int(shapes.intersects(site.geometry)))
            if key == "protege" and not site.protege:
                site.protege_proche = int(shapes.within_distance(site.geometry, PROTECTED_NEAR))


ZONE_LABEL_FIELDS = ("libelle", "libelong", "destdomi")   # CNIG zone_urba / secteur_cc fields read with the type


def zoning(found, source, type_field, transform):
    """urba_zone_type of each site: the zone type covering most of it (CNIG typezone field, or typesect for a
    carte communale, guessed when ''); urba_zone: the type and labels (libelle, libelong, destdomi, when the layer
    has them) of the zone of that type covering most of the site, which Mutafriches reads as well as the code."""
    names = source.fields().names()
    field = type_field or next((n for n in names if n.lower() in ("typezone", "typesect")), None)
    if not field or field not in names:
        raise QgsProcessingException(translate(
            "FrichesAlgorithm", "ZONING_TYPE_FIELD must name the zone type field (CNIG "
            "typezone). Fields: {0}.").format(", ".join(names)))
    key = "typesect" if field.lower() == "typesect" else "typezone"
    labels = [(label, next((n for n in names if n.lower() == label), None)) for label in ZONE_LABEL_FIELDS]
    zones = []
    for f, g in landcover.geometries(source, transform):
        kind = str(f[field]).strip() if not nom.is_null(f[field]) else None
        described = {key: kind}
        described.update({label: None if name is None or nom.is_null(f[name]) else str(f[name])
                          for label, name in labels})
        zones.append((kind, described, g))
    index = spatial.box_index({i: g for i, (_t, _d, g) in enumerate(zones)})
    for site in found:
        overlap, largest = Counter(), {}
        for i in index.intersects(site.geometry.boundingBox()):
            kind, described, geometry = zones[i]
            if kind and geometry.intersects(site.geometry):
                area = geometry.intersection(site.geometry).area()
                overlap[kind] += area
                if kind not in largest or area > largest[kind][0]:
                    largest[kind] = (area, described)
        site.urba_zone_type = max(sorted(overlap), key=lambda k: overlap[k]) if overlap else None
        site.urba_zone = largest[site.urba_zone_type][1] if overlap else None


def communes(found, source, zone_field, transform):
    """comm_insee and comm_nom of each site: the commune holding its point (field guessed when '')."""
    names = source.fields().names()
    field = zone_field or next((n for n in names if n.lower() in ("insee_com", "code_insee", "insee")), None)
    if not field:
        raise QgsProcessingException(translate("FrichesAlgorithm", "ZONE_FIELD is needed with ZONES."))
    name_field = next((n for n in names if n.lower() in ("nom_com", "nom", "libelle", "nom_commune")), None)
    shapes = [(str(f[field]), None if name_field is None or nom.is_null(f[name_field]) else
               str(f[name_field]), g) for f, g in landcover.geometries(source, transform)]
    index = spatial.box_index({i: g for i, (_c, _n, g) in enumerate(shapes)})
    for site in found:
        point = site.point
        hit = next((i for i in index.intersects(point.boundingBox()) if shapes[i][2].intersects(point)), None)
        site.comm_insee = shapes[hit][0] if hit is not None else None
        site.comm_nom = shapes[hit][1] if hit is not None else None


def set_context(found, enveloppe, layers, crs, context, feedback):
    """Every context value of the sites, for the layers given."""
    locate(found, enveloppe)
    distances(found, layers, crs, context, feedback)
    overlays(found, layers, crs, context)
    if layers.zoning is not None:
        zoning(found, layers.zoning, layers.zoning_type_field, transform_to(layers.zoning, crs, context))
    if layers.zones is not None:
        communes(found, layers.zones, layers.zone_field, transform_to(layers.zones, crs, context))


def run(cover, min_area, layers, context, feedback):
    """The Sites of a LandCover of at least ``min_area`` m², with the inventory and the context of ``layers``
    (None when cancelled)."""
    crs = working_crs(cover)
    found = candidates(cover, feedback)
    if found is None:
        return None
    result = sites(found.polygons, fr.family(cover.nomenclature), cover.years(), min_area, feedback)
    if layers.inventory is not None:
        result = add_inventory(layers.inventory, transform_to(layers.inventory, crs, context), result, feedback)
    set_context(result, envelope(found.members), layers, crs, context, feedback)
    return result


# -- output ---------------------------------------------------------------------------------------------------

def output_fields():
    fields = QgsFields()
    for name, kind in COLUMNS:
        fields.append(compat.make_field(name, kind))
    return fields


def plain(value):
    """A numpy or Python float as a Python float; other values unchanged."""
    if isinstance(value, float) or hasattr(value, "dtype"):
        return float(value)
    return value


def write(found, fields, sink):
    """The sites, in output order, to ``sink``; returns (CNIG rows [{column: value}], Counter of vocations)."""
    rows = []
    today = datetime.date.today().isoformat()
    vocations = Counter()
    for number, site in enumerate(fr.output_order(found), start=1):
        values = fr.site_values(site, number)
        vocations[values["vocation"]] += 1
        feature = QgsFeature(fields)
        geometry = QgsGeometry(site.geometry)
        if not QgsWkbTypes.isMultiType(geometry.wkbType()):
            geometry.convertToMultiType()
        feature.setGeometry(geometry)
        feature.setAttributes([plain(values.get(name)) for name, _k in COLUMNS])
        sink.addFeature(feature, QgsFeatureSink.FastInsert)
        values.update({"site_identif_date": today, "site_actu_date": today, "comm_nom": site.comm_nom,
                       "sol_pollution_existe": None if site.pollution is None else (
                           "supposée" if site.pollution else None),
                       "source_nom": "OCS Toolbox, pré-repérage OCS (ocs:friches)",
                       "geompoint": site.point.asWkt(2), "geomsurf": geometry.asWkt(2)})
        rows.append(values)
    return rows, vocations


def write_csv(path, rows):
    """The CNIG friches CSV of the rows ``write`` returned."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CNIG_COLUMNS)
        for values in rows:
            writer.writerow(["" if values.get(c) is None else values.get(c) for c in CNIG_COLUMNS])


# -- geometry helpers -------------------------------------------------------------------------------------------

class Points:
    """Points with an index: nearest distance to a polygon, count within a distance."""

    def __init__(self, features):
        self.points = [g for _f, g in features]
        self.index = spatial.box_index(dict(enumerate(self.points)))

    def distance(self, geometry):
        if not self.points:
            return None
        centre = geometry.centroid().asPoint()
        best = None
        for i in self.index.nearestNeighbor(QgsPointXY(centre), 8):
            d = self.points[i].distance(geometry)
            best = d if best is None else min(best, d)
        # a nearer point may lie beyond the 8 nearest to the centroid of a large site: widen once
        if best is not None:
            box = QgsRectangle(geometry.boundingBox())
            box.grow(best)
            for i in self.index.intersects(box):
                best = min(best, self.points[i].distance(geometry))
        return best

    def count_within(self, geometry, distance):
        box = QgsRectangle(geometry.boundingBox())
        box.grow(distance)
        return sum(1 for i in self.index.intersects(box) if self.points[i].distance(geometry) <= distance)
