"""The engine of ocs:artificialisation (décret n° 2023-1096): the matrix status of each polygon and vintage
(step 1, with the optional exemptions), the patch graph of the small polygons and the reference thresholds
(step 2, the rule in core/thresholds.py), then the output features and the optional dissolve by status.

Plain values in, plain values out: a ``landcover.LandCover``, ``Options``, sinks made by the caller. Progress:
0–40 % reading, 40–80 % the neighbour tests, 80–100 % writing.
"""
import dataclasses
from collections import Counter

from qgis.core import (
    QgsFeature,
    QgsFeatureRequest,
    QgsFeatureSink,
    QgsFields,
    QgsGeometry,
    QgsCoordinateTransformContext,
    QgsSpatialIndex,
    QgsVectorFileWriter,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QCoreApplication

from .. import compat
from ..core import nomenclature as nom
from ..core import rules
from ..core import thresholds as rule
from ..core import zan
from . import landcover, postgis, spatial
from ..fastpath import gpkg
from ..language import number as local_number

translate = QCoreApplication.translate
BATCH = 5000


@dataclasses.dataclass
class Options:
    """The choices of the decree: step 2 or not, its thresholds (m²), the optional exemptions (OCS2D only)."""

    thresholds: bool = True
    built_min: float = zan.BUILT_MIN_M2
    other_min: float = zan.OTHER_MIN_M2
    parks: bool = False
    pv: bool = False


@dataclasses.dataclass
class Reading:
    """Step 1: ``areas`` {fid: m²}, ``vintages`` {year: core.thresholds.VintageStatus}, and the geometries
    {fid: QgsGeometry} kept for step 2 (empty when the thresholds are not applied)."""

    areas: dict
    vintages: dict
    geometries: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Result:
    """``areas`` {fid: m²}, ``vintages`` {year: VintageStatus} (the matrix status), ``changed``
    {(fid, year): status after the thresholds} for the polygons whose status the thresholds change."""

    areas: dict
    vintages: dict
    changed: dict


@dataclasses.dataclass
class Route:
    """Where the output goes: ``dissolve``d, written by PostgreSQL (``pushdown``: (writer, output table)), or
    feature by feature to the sink or (``load``) to a temporary GeoPackage loaded into PostGIS; ``temporary``:
    the temporary GeoPackages to remove at the end."""

    dissolve: bool
    pushdown: object = None
    load: bool = False
    temporary: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Layout:
    """The output fields: ``fields`` (QgsFields), ``slots`` the positions of artif_YYYY, crit_seuil_YYYY per
    vintage, ``added`` their names, ``dissolve`` (then the fields end with surface_ha and hold no input field)."""

    fields: object
    slots: list
    added: list
    dissolve: bool


# -- step 1 ---------------------------------------------------------------------------------------------------

def truthy(value):
    """A photovolYY flag read as a boolean (1, true, oui…)."""
    if nom.is_null(value):
        return False
    return str(value).strip().lower() in ("1", "true", "t", "oui", "o", "yes", "y", "vrai")


def pair_status(key, parks=False, pv=False):
    """(cs raw, us raw, photovol raw) → (status 1/0/None, exemption or None, built couverture), memoised."""
    classifier = rules.Reclassifier(key, ["artif"])

    def status(cs_raw, us_raw, pv_raw):
        cs, us = nom.normalise_code(cs_raw), nom.normalise_code(us_raw)
        result = classifier.classify(cs_raw, us_raw)
        value = classifier.artif_value(cs, us) if result.cs_state == "ok" and result.us_state == "ok" else None
        reason = None
        if value == 1:
            reason = zan.exemption(key, cs, us, truthy(pv_raw), parks, pv)
            if reason:
                value = 0
        return value, reason, zan.is_built(key, cs) if result.cs_state == "ok" else False
    return landcover.PairMemo(status)


def field_indexes(cover):
    """[(year, cs index, us index, photovolYY index or -1)] of the vintages of a LandCover."""
    fields = cover.source.fields()
    return [(v.vintage, fields.lookupField(v.cs_field), fields.lookupField(v.us_field),
             fields.lookupField("photovol%s" % v.vintage[2:])) for v in cover.vintages]


def read(cover, options, feedback):
    """The Reading of a LandCover (None when cancelled); logs the unknown codes and the exemptions applied."""
    indexes = field_indexes(cover)
    status_of = pair_status(cover.nomenclature, options.parks, options.pv)
    meter = cover.meter
    geometries, areas = {}, {}
    vintages = {vintage: rule.VintageStatus({}) for vintage, *_rest in indexes}
    per_vintage = [entry + (vintages[entry[0]].status, vintages[entry[0]].built, vintages[entry[0]].exempt)
             for entry in indexes]
    unknown, exempted, exempted_area = Counter(), Counter(), Counter()
    keep = options.thresholds
    metric = in_measure_crs(cover.transform)
    total = cover.source.featureCount() or 1
    step = max(1, total // 100)
    for count, feature in enumerate(landcover.features(cover.source)):
        if count % step == 0:
            if feedback.isCanceled():
                return None
            feedback.setProgress(40.0 * count / total)
        fid = feature.id()
        geometry = feature.geometry()
        values = feature.attributes()
        area = meter.area(geometry)
        areas[fid] = area
        if keep:
            geometries[fid] = metric(geometry)
        for vintage, cs_index, us_index, pv_index, status, built, exempt in per_vintage:
            value, reason, is_built = status_of(values[cs_index], values[us_index],
                                                values[pv_index] if pv_index >= 0 else None)
            status[fid] = value
            if is_built:
                built[fid] = area
            if value is None:
                unknown["%s %s/%s" % (vintage, values[cs_index], values[us_index])] += 1
            if reason:
                exempt.add(fid)
                exempted[(vintage, reason)] += 1
                exempted_area[(vintage, reason)] += area
    landcover.report_counts(feedback, translate(
        "ArtificialisationAlgorithm",
        "{0} feature-vintages have a NULL or unknown code: artif and crit_seuil are NULL for them."), unknown)
    for (vintage, reason), count in sorted(exempted.items()):
        feedback.pushInfo(translate("ArtificialisationAlgorithm",
                                    "{0}: exemption '{1}' applied to {2} polygons ({3} ha).").format(
            vintage, reason, count, local_number(exempted_area[(vintage, reason)] / 1e4, 4)))
    return Reading(areas, vintages, geometries)


# -- step 2 ---------------------------------------------------------------------------------------------------

def in_measure_crs(transform):
    """geometry → the geometry in the CRS of the measures (a copy through ``transform``; itself when None)."""
    if transform is None:
        return lambda geometry: geometry

    def metric(geometry):
        if geometry is None or geometry.isNull():
            return geometry
        geometry = QgsGeometry(geometry)
        geometry.transform(transform)
        return geometry
    return metric


def neighbours(geometries, areas, other_min, feedback, snap=0.0):
    """{fid: [fids touching it]} of the polygons under ``other_min`` m² (None when cancelled). Invalid small
    polygons are repaired (in ``geometries``) for the tests, and counted in the log. ``snap`` (m): polygons
    closer than this touch (reprojected layers, whose shared edges are no longer exactly shared)."""
    feedback.pushInfo(translate("ArtificialisationAlgorithm", "Thresholds: indexing {0} polygons…").format(
        len(geometries)))
    index = QgsSpatialIndex()
    for fid, geometry in geometries.items():
        if geometry is not None and not geometry.isNull():
            index.addFeature(fid, geometry.boundingBox())
    small = [fid for fid, area in areas.items() if area < other_min and geometries.get(fid) is not None
             and not geometries[fid].isNull()]
    feedback.pushInfo(translate("ArtificialisationAlgorithm", "Thresholds: {0} polygons under {1} m², neighbours…")
                      .format(len(small), local_number(other_min, None)))
    counters = {}
    found_by_fid = {}
    total = len(small) or 1
    step = max(1, total // 50)
    for count, fid in enumerate(small):
        if count % step == 0:
            if feedback.isCanceled():
                return None
            feedback.setProgress(40.0 + 40.0 * count / total)
        geometry = spatial.repaired(geometries[fid], counters)
        if geometry is None:
            continue
        if geometry is not geometries[fid]:
            geometries[fid] = geometry
        engine = QgsGeometry.createGeometryEngine(geometry.constGet())
        engine.prepareGeometry()
        found = []
        box = geometry.boundingBox()
        if snap:
            box.grow(snap)
        for other in index.intersects(box):
            if other != fid and (engine.intersects(geometries[other].constGet()) or
                                 (snap and engine.distance(geometries[other].constGet()) <= snap)):
                found.append(other)
        found_by_fid[fid] = found
    if counters.get("invalid"):
        feedback.reportError(translate("ArtificialisationAlgorithm",
                                       "{0} invalid small polygons were repaired for the neighbour tests.").format(
            counters["invalid"]), False)
    return found_by_fid


def exposure(geometries, touching, snap=0.0):
    """fid → True when part of the polygon's boundary is shared with no other polygon (edge of the layer, or a
    gap), computed once per polygon when first asked; geometries in the CRS of the measures (metres). ``snap``
    (m): boundary closer than this to a neighbour is shared."""
    exposed = {}
    tolerance = 0.01

    def is_exposed(fid):
        if fid not in exposed:
            geometry = geometries[fid]
            boundary = QgsGeometry(geometry.constGet().boundary())
            others = [geometries[o] for o in touching[fid]]
            if not others:
                exposed[fid] = True
            else:
                union = QgsGeometry.unaryUnion(others)
                rest = boundary.difference(union.buffer(snap, 2) if snap else union)
                exposed[fid] = rest.length() > tolerance + 1e-6 * boundary.length()
        return exposed[fid]
    return is_exposed


def patch_graph(geometries, areas, other_min, snap, feedback):
    """The core.thresholds.PatchGraph of the polygons (None when cancelled); ``snap`` as in ``neighbours``."""
    touching = neighbours(geometries, areas, other_min, feedback, snap)
    if touching is None:
        return None
    return rule.PatchGraph(areas, touching, exposure(geometries, touching, snap))


# Reprojected layers: a vertex of one polygon on the edge of its neighbour moves off it by nanometres.
REPROJECTED_SNAP = 0.001    # m


def apply_thresholds(reading, options, snap, feedback):
    """{(fid, year): new status} for the polygons whose status the thresholds change (None when cancelled);
    one line of the log per vintage. ``snap`` (m): 0 for a layer measured in its own CRS, REPROJECTED_SNAP
    when its geometries were reprojected to the CRS of the measures."""
    graph = patch_graph(reading.geometries, reading.areas, options.other_min, snap, feedback)
    if graph is None:
        return None
    changed = {}
    for vintage, statuses in reading.vintages.items():
        outcome = rule.apply(graph, statuses, options.built_min, options.other_min)
        for member, new in outcome.changed.items():
            changed[(member, vintage)] = new
        feedback.pushInfo(translate(
            "ArtificialisationAlgorithm",
            "{0}: the thresholds make {1} polygons ({2} ha) artificialised and {3} polygons ({4} ha) "
            "non-artificialised; {5} built polygons of at least {6} m² stay artificialised.").format(
            vintage, outcome.to_artif, local_number(outcome.area_artif / 1e4, 4), outcome.to_natural,
            local_number(outcome.area_natural / 1e4, 4), outcome.kept_built, local_number(options.built_min, None)))
    return changed


def classify(cover, options, feedback):
    """Steps 1 and 2 on a LandCover: its Result, or None when cancelled."""
    reading = read(cover, options, feedback)
    if reading is None:
        return None
    changed = {}
    if options.thresholds:
        changed = apply_thresholds(reading, options, 0.0 if cover.transform is None else REPROJECTED_SNAP,
                                   feedback)
        if changed is None:
            return None
    reading.geometries.clear()
    return Result(reading.areas, reading.vintages, changed)


# -- output ---------------------------------------------------------------------------------------------------

def output_names(vintages):
    """artif_YYYY and crit_seuil_YYYY of each vintage, in the output's order."""
    return [name for entry in vintages for name in ("artif_%s" % entry.vintage, "crit_seuil_%s" % entry.vintage)]


def layout(input_fields, vintages, dissolve, feedback):
    """The Layout of the output: the input fields (unless dissolved), artif_YYYY and crit_seuil_YYYY per vintage
    (an input field of that name is replaced, said in the log), surface_ha when dissolved."""
    out_fields = QgsFields()
    slots, added = [], []
    if not dissolve:
        for field in input_fields:
            out_fields.append(field)
    for name in output_names(vintages):
        position = out_fields.lookupField(name)
        if position >= 0:
            feedback.pushInfo(translate("ArtificialisationAlgorithm",
                                        "Field {0} already exists in the input: its values are replaced.")
                              .format(name))
        else:
            out_fields.append(compat.make_field(name, "int"))
            position = out_fields.count() - 1
        added.append(name)
        slots.append(position)
    if dissolve:
        out_fields.append(compat.make_field("surface_ha", "double"))
    return Layout(out_fields, slots, added, dissolve)


def memory_target(layout, wkb_type, crs):
    """The memory layer the features go to before the dissolve (every output field but surface_ha)."""
    target = QgsVectorLayer("%s?crs=%s" % (QgsWkbTypes.displayString(wkb_type), crs.authid() or "EPSG:2154"),
                            "artif", "memory")
    target.dataProvider().addAttributes(layout.fields.toList()[:-1])
    target.updateFields()
    return target


def output_values(status, changed, vintages, fid):
    """[artif_YYYY, crit_seuil_YYYY, …] of feature ``fid``: the status after the thresholds, and 1 where they
    changed it (NULL for an unknown code). ``status`` {year: {fid: matrix status}}, ``changed`` as Result's."""
    values = []
    for entry in vintages:
        value = status[entry.vintage].get(fid)
        new = changed.get((fid, entry.vintage), value)
        values += [new, None if value is None else int(new != value)]
    return values


def write_pushdown(writer, out, fields, vintages, result, layout):
    """Write the output table ``out`` (fastpath.pg.PgTable) in PostgreSQL with ``writer`` (its
    PgReclassifier): the input's ``fields`` and geometries copied there, the values of ``result`` joined by key
    in one statement. Returns (feature count, area in layer units²) of the table."""
    status = {v: s.status for v, s in result.vintages.items()}
    keys = sorted(result.areas)
    rows = [output_values(status, result.changed, vintages, fid) for fid in keys]
    columns = [(name, [row[i] for row in rows]) for i, name in enumerate(layout.added)]
    writer.write_values(out, fields, keys, columns)
    return writer.output_measures(out)


def write(source, vintages, result, layout, sink, feedback, target_fields=None):
    """Every feature of ``source`` with artif_YYYY and crit_seuil_YYYY to ``sink``, geometries copied (made
    multi). ``target_fields``: the fields of the features (default the layout's). False when cancelled."""
    input_fields = source.fields()
    out_fields = layout.fields
    feature_fields = target_fields if target_fields is not None else out_fields
    slots = layout.slots
    status = {v: s.status for v, s in result.vintages.items()}
    changed = result.changed
    batch = []
    total = len(result.areas) or 1
    step = max(1, total // 20)
    for count, feature in enumerate(landcover.features(source, QgsFeatureRequest(), raw=True)):
        if count % step == 0:
            if feedback.isCanceled():
                return False
            feedback.setProgress(80.0 + 20.0 * count / total)
        fid = feature.id()
        if layout.dissolve:
            values = [None] * (out_fields.count() - 1)
        else:
            values = feature.attributes() + [None] * (out_fields.count() - input_fields.count())
        for slot, value in zip(slots, output_values(status, changed, vintages, fid)):
            values[slot] = value
        out = QgsFeature(feature_fields)
        geometry = feature.geometry()
        if not geometry.isNull() and not QgsWkbTypes.isMultiType(geometry.wkbType()):
            geometry = QgsGeometry(geometry)
            geometry.convertToMultiType()
        out.setGeometry(geometry)
        out.setAttributes(values)
        batch.append(out)
        if len(batch) >= BATCH:
            sink.addFeatures(batch, QgsFeatureSink.FastInsert)
            batch = []
    if batch:
        sink.addFeatures(batch, QgsFeatureSink.FastInsert)
    return True


def dissolve(layer, layout, area_in, make_sink, context, feedback, meter=None):
    """native:dissolve of ``layer`` by the status fields, written with surface_ha to the sink that
    ``make_sink(fields, wkb_type, crs)`` returns as (sink, destination); returns the destination. ``meter``: the
    land cover's AreaMeter (where its areas are measured; by default planar in the layer's CRS)."""
    import processing

    fields, out_fields = layout.added, layout.fields
    result = processing.run("native:dissolve", {"INPUT": layer, "FIELD": fields, "OUTPUT": "memory:"},
                            context=context, feedback=None, is_child_algorithm=True)
    dissolved = context.getMapLayer(result["OUTPUT"]) if isinstance(result["OUTPUT"], str) else result["OUTPUT"]
    meter = meter or landcover.AreaMeter(layer.crs(), context)
    sink, destination = make_sink(out_fields, QgsWkbTypes.multiType(layer.wkbType()), layer.crs())
    area_out = 0.0
    features = []
    for feature in dissolved.getFeatures():
        area = meter.area(feature.geometry())
        area_out += area
        out = QgsFeature(out_fields)
        out.setGeometry(feature.geometry())
        out.setAttributes([feature[name] for name in fields] + [area / 1e4])
        features.append(out)
    sink.addFeatures(features, QgsFeatureSink.FastInsert)
    del sink
    feedback.pushInfo(translate("ArtificialisationAlgorithm",
                                "Dissolved by status: {0} features, {1} ha in, {2} ha out.").format(
        len(features), local_number(area_in / 1e4, 4), local_number(area_out / 1e4, 4)))
    if abs(area_out - area_in) > 1e-4 * max(area_in, 1.0):
        feedback.reportError(translate("ArtificialisationAlgorithm",
                                       "The dissolved area differs from the input area by more than 0.01 % "
                                       "(overlapping or invalid polygons)."), False)
    return destination


# -- PostGIS in bulk (where the push-down does not apply) --------------------------------------------------------

def copied_input(cover, relation, feedback):
    """The LandCover ``cover`` read from a temporary GeoPackage copy of its PostgreSQL ``relation`` (a
    fastpath.pg.PgRelation: GDAL reads it once; fids 1, 2, … in the key's order, or the key when it is named
    fid, as the feature-by-feature path numbers a GeoPackage output), and the copy's (path, kept objects) to
    keep while it is read. Raises gpkg.FastPathUnavailable when the relation does not qualify."""
    path, _layer_name, kept = postgis.copy_land_cover(relation, cover, feedback)
    return dataclasses.replace(cover, source=kept[0]), (path, kept)


def temporary_output(layout, wkb_type, crs):
    """(QgsVectorFileWriter, path) of a temporary GeoPackage layer ``output`` with the layout's fields, to be
    loaded into PostGIS in bulk (postgis.load_output) once written."""
    path = postgis.temporary_gpkg("output")
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    options.layerName = "output"
    options.fileEncoding = "UTF-8"
    options.layerOptions = ["SPATIAL_INDEX=NO"]
    writer = QgsVectorFileWriter.create(path, layout.fields, wkb_type, crs, QgsCoordinateTransformContext(),
                                        options)
    if writer.hasError():
        raise RuntimeError(writer.errorMessage())
    return writer, path


def remove_temporary(paths):
    """Remove the temporary GeoPackages ``paths``."""
    for path in paths:
        if path:
            gpkg.remove_gpkg(path)
