"""Heat and friches of each zone of ``ocs:atlas`` (issue #20), from an output of ``ocs:heatisland`` (units or
grid) and of ``ocs:friches``, measured in the CRS of the atlas's computation (the metric CRS of its ChangeJob).

- heat: the share of the zone's area in each ADEME class of the last vintage (``classe_<year>``), the area of a
  unit counted for the part of it inside the zone; the hottest and the coolest units (``score_<year>``) among
  those lying at least half in the zone;
- friches: the sites whose inner point is in the zone, their area (of their geometry) and the largest ones with
  their vocation.
"""
from qgis.core import QgsCoordinateTransform, QgsFeatureRequest, QgsGeometry

from ..core import atlas as text
from ..core import heat
from . import spatial

NAME_FIELDS = ("nom", "name", "libelle", "nom_com", "site_nom")
LARGEST = 3


class ZoneIndex(spatial.Prepared):
    """The zones' outlines {code: geometry} as spatial.Prepared polygons, with their codes."""

    def __init__(self, outlines):
        kept = [(code, g) for code, g in outlines.items() if g is not None and not g.isEmpty()]
        super().__init__([g for _code, g in kept])
        self.codes = [code for code, _g in kept]

    def candidates(self, geometry):
        """[(code, geometry, prepared engine)] of the zones whose box meets that of ``geometry``."""
        return [(self.codes[i], self.geometries[i], self.engine(i))
                for i in self.index.intersects(geometry.boundingBox())]


def _features(layer, crs, context):
    """(feature, geometry in ``crs``) of the layer's features with a geometry."""
    transform = None
    if layer.crs().isValid() and crs.isValid() and layer.crs() != crs:
        transform = QgsCoordinateTransform(layer.crs(), crs, context.transformContext())
    for feature in layer.getFeatures(QgsFeatureRequest()):
        geometry = feature.geometry()
        if geometry is None or geometry.isEmpty():
            continue
        geometry = QgsGeometry(geometry)
        if transform is not None:
            geometry.transform(transform)
        if not geometry.isGeosValid():
            geometry = geometry.makeValid()
        yield feature, geometry


def last_field(names, prefix):
    """The field ``<prefix><year>`` of the latest year among ``names``, or None."""
    found = sorted((name[len(prefix):], name) for name in names
                   if name.startswith(prefix) and name[len(prefix):].isdigit())
    return found[-1][1] if found else None


def unit_name(feature, names):
    for name in NAME_FIELDS:
        if name in names and feature[name] not in (None, ""):
            return str(feature[name])
    if "id" in names and feature["id"] is not None:
        return str(feature["id"])
    return "#%d" % feature.id()


def heat_values(layer, outlines, crs, context, language):
    """{zone code: {field of core.atlas.FIELDS: value}} of the heat layer (an output of ocs:heatisland); {} when
    the layer has no ``classe_<year>`` field."""
    names = layer.fields().names()
    class_field, score_field = last_field(names, "classe_"), last_field(names, "score_")
    if class_field is None:
        return {}
    labels = [label for _bound, label in heat.CLASSES]
    zones = ZoneIndex({code: g for code, g in outlines.items() if code != "total"})
    areas = {code: [0.0] * len(labels) for code in zones.codes}
    extremes = {}     # code → [(score, name)]
    for feature, geometry in _features(layer, crs, context):
        label = feature[class_field]
        score = feature[score_field] if score_field else None
        unit_area = geometry.area()
        for code, zone_geometry, engine in zones.candidates(geometry):
            if not engine.intersects(geometry.constGet()):
                continue
            # a unit inside the zone (most of them) needs no intersection
            part = unit_area if engine.contains(geometry.constGet()) else geometry.intersection(zone_geometry).area()
            if label in labels:
                areas[code][labels.index(label)] += part
            if score is not None and unit_area > 0 and part >= 0.5 * unit_area:
                extremes.setdefault(code, []).append((float(score), unit_name(feature, names)))
    result = {}
    for code, zone_geometry in zip(zones.codes, zones.geometries):
        total = zone_geometry.area()
        shares = [100.0 * area / total if total else None for area in areas[code]]
        values = dict(zip(text.HEAT_FIELDS, shares))
        units = extremes.get(code, [])
        hottest = max(units, key=lambda u: (u[0], u[1])) if units else None
        coolest = min(units, key=lambda u: (u[0], u[1])) if units else None
        values.update({"unite_chaude": hottest[1] if hottest else None, "score_chaud": hottest[0] if hottest else None,
                       "unite_fraiche": coolest[1] if coolest else None,
                       "score_frais": coolest[0] if coolest else None,
                       "texte_chaleur": text.heat_text(shares, (hottest[1], hottest[0]) if hottest else None,
                                                       (coolest[1], coolest[0]) if coolest else None, language)})
        result[code] = values
    return result


def friches_values(layer, outlines, crs, context, language):
    """{zone code: {field of core.atlas.FIELDS: value}} of the friches layer (an output of ocs:friches)."""
    names = layer.fields().names()
    zones = ZoneIndex({code: g for code, g in outlines.items() if code != "total"})
    sites = {code: [] for code in zones.codes}
    for feature, geometry in _features(layer, crs, context):
        point = geometry.pointOnSurface()
        for code, _zone_geometry, engine in zones.candidates(point):
            if engine.intersects(point.constGet()):
                vocation = feature["vocation"] if "vocation" in names else None
                sites[code].append((geometry.area() / 1e4, unit_name(feature, names), vocation or None))
                break
    result = {}
    for code, found in sites.items():
        found.sort(key=lambda site: (-site[0], site[1]))
        total = sum(site[0] for site in found)
        result[code] = {"friches_nb": len(found), "friches_ha": total,
                        "texte_friches": text.friches_text(len(found), total, [
                            (name, ha, vocation) for ha, name, vocation in found[:LARGEST]], language)}
    return result
