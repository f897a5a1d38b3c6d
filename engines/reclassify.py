"""The attribute classification of ocs:reclassify, feature by feature (any input, any output), on the
GeoPackage fast path (one SQL join, then the spatial rules as UPDATEs) or pushed down to PostgreSQL (the same,
run by the database: PostGIS in and out in one database), with the counts of unknown, NULL and unclassified
codes.

The caller (the Processing wrapper) chooses the targets, creates the sink or names the output file, and styles
the result; everything between is here.
"""
import dataclasses
import functools
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from qgis.core import QgsFeature, QgsFeatureSink, QgsFields, QgsProcessingException
from qgis.PyQt.QtCore import QCoreApplication

from .. import compat
from ..core import nomenclature as nom
from ..core import rules
from ..fastpath import gpkg, pg
from ..language import number as local_number
from . import landcover, postgis, spatialrules

translate = QCoreApplication.translate
SPATIAL_TARGETS = ("p4", "p21", "enaf")


@dataclasses.dataclass
class CodeCounts:
    """Feature-vintages with an unknown couverture or usage code, a NULL code, or a pair that the published
    method leaves unclassified (Counters of the values, for the log)."""

    cs: Counter = dataclasses.field(default_factory=Counter)
    us: Counter = dataclasses.field(default_factory=Counter)
    null: Counter = dataclasses.field(default_factory=Counter)
    unclassified: Counter = dataclasses.field(default_factory=Counter)

    def add(self, result, vintage, cs_raw, us_raw, count):
        """Count NULL, unknown and unclassified pairs (``count`` features at once)."""
        if result.cs_state == "ok" and result.us_state == "ok":
            for target in result.unclassified:
                self.unclassified["%s %s/%s" % (target, cs_raw, us_raw)] += count
            return
        if result.cs_state == "null" or result.us_state == "null":
            self.null[vintage.vintage] += count
        if result.cs_state == "unknown":
            self.cs["%s=%s" % (vintage.cs_field, cs_raw)] += count
        if result.us_state == "unknown":
            self.us["%s=%s" % (vintage.us_field, us_raw)] += count

    def report(self, feedback):
        """Say each count, with the most frequent values, as a non-fatal error."""
        for message, counter in (
                (translate("ReclassifyAlgorithm", "{0} feature-vintages have an unknown couverture code; their "
                                                  "targets are NULL."), self.cs),
                (translate("ReclassifyAlgorithm", "{0} feature-vintages have an unknown usage code; targets that "
                                                  "need it are NULL."), self.us),
                (translate("ReclassifyAlgorithm", "{0} feature-vintages have a NULL couverture or usage code; "
                                                  "their targets are NULL."), self.null),
                (translate("ReclassifyAlgorithm", "{0} feature-vintages are left unclassified by the published "
                                                  "method for their pair (NULL)."), self.unclassified)):
            landcover.report_counts(feedback, message, counter)


@dataclasses.dataclass
class Reclassification:
    """One run: the land cover (landcover.LandCover), the rules.Reclassifier of the chosen targets, and the
    code counts filled while classifying."""

    land_cover: object
    classifier: object
    counts: CodeCounts = dataclasses.field(default_factory=CodeCounts)

    @property
    def spatial_needed(self):
        """True when a target has OCS2D spatial rules (4 postes, 21 postes, ENAF on an OCS2D layer)."""
        return self.land_cover.nomenclature != nom.OCSGE and \
            any(t in self.classifier.targets for t in SPATIAL_TARGETS)

    def columns(self):
        """[[(output column, 'int' | 'str')]] per vintage."""
        return [[(f.name(v.vintage), "int" if f.kind == rules.INT else "str") for f in self.classifier.fields]
                for v in self.land_cover.vintages]


# -- feature by feature ---------------------------------------------------------------------------------------

def output_fields(input_fields, classifier, vintages, feedback):
    """(QgsFields of the output, [[attribute index of each classifier field]] per vintage): the input's fields
    then the new ones; a field that exists already keeps its place and has its values replaced (said)."""
    fields = QgsFields(input_fields)
    slots = []
    for vintage in vintages:
        vintage_slots = []
        for field in classifier.fields:
            name = field.name(vintage.vintage)
            existing = fields.lookupField(name)
            if existing >= 0:
                feedback.reportError(translate(
                    "ReclassifyAlgorithm", "Field {0} already exists in the input: its values are replaced.")
                    .format(name), False)
                vintage_slots.append(existing)
                continue
            kind = "int" if field.kind == rules.INT else "str"
            fields.append(compat.make_field(name, kind, 0 if kind == "int" else 254))
            vintage_slots.append(fields.count() - 1)
        slots.append(vintage_slots)
    return fields, slots


def run_generic(job, sink, fields, slots, feedback):
    """Classify ``job`` feature by feature through the QGIS API into ``sink`` (made with ``fields``; ``slots``
    from ``output_fields``), geometries copied as multi-part. Returns the number of features written, None when
    cancelled. The counts are reported."""
    source, classifier, vintages = job.land_cover.source, job.classifier, job.land_cover.vintages
    indexes = job.land_cover.indexes()
    near = {}
    if job.spatial_needed:
        near = spatialrules.spatial_rules(job.land_cover, classifier, feedback)
        if feedback.isCanceled():
            return None
    count_attributes = job.counts.add
    input_count = len(source.fields())
    total = source.featureCount() or 1
    area_meter = job.land_cover.meter
    area_in = 0.0
    written = 0
    width = fields.count()
    batch = []
    count = -1
    for count, feature in enumerate(landcover.features(source, raw=True)):
        if feedback.isCanceled():
            return None
        attributes = feature.attributes() + [None] * (width - input_count)
        fid = feature.id()
        for v_index, (cs_index, us_index) in enumerate(indexes):
            cs_raw, us_raw = attributes[cs_index], attributes[us_index]
            result = classifier.classify(cs_raw, us_raw)
            count_attributes(result, vintages[v_index], cs_raw, us_raw, 1)
            values = classifier.near_values(result) if (fid, v_index) in near else result.values
            for slot, value in zip(slots[v_index], values):
                attributes[slot] = value
        out = QgsFeature(fields, fid)
        geometry = feature.geometry()
        if not geometry.isNull() and not geometry.isMultipart():
            geometry.convertToMultiType()
        out.setGeometry(geometry)
        out.setAttributes(attributes[:width])
        area_in += area_meter.area(geometry)
        batch.append(out)
        if len(batch) >= 5000:
            written += _flush(sink, batch)
            batch = []
            feedback.setProgress(100.0 * count / total)
    if batch:
        written += _flush(sink, batch)
    if written != count + 1:
        raise QgsProcessingException(translate("ReclassifyAlgorithm", "{0} features read but {1} written.").format(
            count + 1, written))
    feedback.pushInfo(translate("ReclassifyAlgorithm", "{0} features read and written, {1} ha in and out "
                                                       "(geometries copied unchanged).").format(written, local_number(area_in / 1e4, 4)))
    job.counts.report(feedback)
    return written


def _flush(sink, batch):
    if not sink.addFeatures(batch, QgsFeatureSink.FastInsert):
        raise QgsProcessingException(translate("ReclassifyAlgorithm", "Could not write to the output: {0}").format(
            sink.lastError()))
    return len(batch)


# -- GeoPackage fast path ---------------------------------------------------------------------------------------

@dataclasses.dataclass
class FastTarget:
    """The GeoPackage fast path of one run: the input's reader and the output file and layer. ``copy``: the
    PostgreSQL input (fastpath.pg.PgRelation) copied to a temporary GeoPackage first (the reader is made then);
    ``load``: the PostGIS destination (text) the output, written to a temporary GeoPackage, is loaded into."""

    reader: gpkg.GpkgReclassifier
    out_path: str
    out_layer: str
    copy: object = None
    load: str = ""
    kept: tuple = ()


def fast_path_possible(land_cover, classifier):
    """False when the fast path cannot give the generic path's result whatever the files: a CRS in which the
    measures are not made (geographic, not in metres, or off by more than 0.1 %: landcover.metric_frame; its
    areas and distances go through the transform), or an output column that exists in the input."""
    if land_cover.transform is not None or land_cover.crs.isGeographic():
        return False
    names = set(land_cover.source.fields().names())
    return not any(f.name(v.vintage) in names for v in land_cover.vintages for f in classifier.fields)


def fast_target(path, layer_name, output, vintages):
    """The FastTarget of GeoPackage layer ``layer_name`` of ``path`` written to ``output`` (a file path, with
    an optional ``|layername=``); raises gpkg.FastPathUnavailable (or RuntimeError from GDAL) when it does not
    qualify: an output that is not a new GeoPackage, a code field that is not text, no ST_Area in GDAL's SQL."""
    out_path, out_layer = gpkg.gpkg_output(output, path, whole_file=True)
    reader = gpkg.GpkgReclassifier(path, layer_name)
    for vintage in vintages:
        for field in (vintage.cs_field, vintage.us_field):
            if not reader.is_text(field):
                raise gpkg.FastPathUnavailable("%s is not a text field" % field)
    reader.area(probe=True)
    return FastTarget(reader, out_path, out_layer)


def bulk_target(output, land_cover, path=None, layer_name=None, relation=None):
    """The FastTarget of a run whose input or output is in PostgreSQL where the push-down does not apply (another
    database, a GeoPackage on the other side): the GeoPackage layer ``layer_name`` of ``path``, or the
    PostgreSQL ``relation`` (a PgRelation: copied to a temporary GeoPackage when the run starts), written to
    ``output`` (a GeoPackage file, or a PostGIS destination loaded in bulk from a temporary GeoPackage). Raises
    gpkg.FastPathUnavailable when it does not qualify."""
    load = output if postgis.destination_uri(output) is not None else ""
    out = postgis.temporary_gpkg("output") if load else output
    if relation is None:
        target = fast_target(path, layer_name, out, land_cover.vintages)
        target.load = load
        return target
    postgis.bulk_input(relation, land_cover.source, land_cover.source.wkbType())
    out_path, out_layer = gpkg.gpkg_output(out, None, whole_file=True)
    reader = pg.PgReclassifier(relation)
    try:
        reader.check([f for v in land_cover.vintages for f in (v.cs_field, v.us_field)])
    finally:
        reader.close()
    return FastTarget(None, out_path, out_layer, relation, load)


def _copied(job, target, feedback):
    """Copy the PostgreSQL input of ``target`` to a temporary GeoPackage: ``job`` then reads its copy (same fields,
    fids numbered as the feature-by-feature path numbers them) and ``target`` gets its reader. Returns the
    copy's path."""
    source = job.land_cover.source
    path, layer_name, kept = postgis.copy_input(target.copy, source, job.land_cover.crs, feedback)
    target.kept = kept
    job.land_cover = dataclasses.replace(job.land_cover, source=kept[0])
    target.reader = gpkg.GpkgReclassifier(path, layer_name)
    return path


def run_bulk(job, target, feedback):
    """``run_fast`` with the PostgreSQL input copied to a temporary GeoPackage first (``target.copy``) and the
    output loaded into PostGIS after (``target.load``); the temporary files removed. Returns the number of
    features written, None when cancelled."""
    temporary = []
    try:
        if target.copy is not None:
            temporary.append(_copied(job, target, feedback))
        if target.load:
            temporary.append(target.out_path)
        written = run_fast(job, target, feedback)
        if written is not None and target.load:
            postgis.load_output(target.out_path, target.out_layer, target.load, feedback)
        return written
    finally:
        if target.reader is not None:
            target.reader.close()
        for path in temporary:
            gpkg.remove_gpkg(path)


def _pair_order(item):
    """SQLite's order of ((cs, us), count) items: NULL first, then text in code-point order."""
    (cs, us), _count = item
    return (cs is not None, cs or "", us is not None, us or "")


def lookup_tables(job, combinations):
    """[{pair_key: values}] per vintage from ``combinations`` (GpkgReclassifier.combinations), each pair
    classified once and counted."""
    tables = []
    for v, vintage in enumerate(job.land_cover.vintages):
        pairs = Counter()
        for values, count, *_fids in combinations:
            pairs[values[2 * v], values[2 * v + 1]] += count
        table = {}
        for (cs_raw, us_raw), count in sorted(pairs.items(), key=_pair_order):  # as GROUP BY cs, us
            result = job.classifier.classify(cs_raw, us_raw)
            job.counts.add(result, vintage, cs_raw, us_raw, count)
            table[gpkg.pair_key(cs_raw, us_raw)] = result.values
        tables.append(table)
    return tables


def _write_and_measure(target, write, feedback, progress, distinct):
    """(input area, output count, output area): the output written, then measured (the UPDATEs of the spatial
    rules change attributes only); None when cancelled."""
    source_reader = gpkg.GpkgReclassifier(target.reader.path, target.reader.layer_name)
    try:
        area_in = source_reader.area()
    finally:
        source_reader.close()
    write(progress, distinct)
    if feedback.isCanceled():
        return None
    written = gpkg.GpkgReclassifier(target.out_path, target.out_layer)
    try:
        return area_in, written.feature_count(), written.area()
    finally:
        written.close()


def run_fast(job, target, feedback):
    """The attribute rules as one SQL join (GDAL), then the spatial rules as UPDATEs; the output is checked
    (feature count, area) and the counts are reported. Returns the number of features written, None when
    cancelled (the partial output removed)."""
    reader = target.reader
    count_in = reader.feature_count()
    # one GROUP BY over the code fields of every vintage, then the (cs, us) pairs of each vintage from it
    vintages = job.land_cover.vintages
    combinations = reader.combinations([f for v in vintages for f in (v.cs_field, v.us_field)],
                                       with_fids=job.spatial_needed)
    tables = lookup_tables(job, combinations)
    columns = job.columns()
    lookup = gpkg.Lookup([(v.cs_field, v.us_field) for v in vintages], columns, tables)
    write = functools.partial(_write_and_measure, target,
                              functools.partial(reader.write, target.out_path, target.out_layer, lookup), feedback)
    feedback.pushInfo(translate("ReclassifyAlgorithm", "Writing {0}…").format(target.out_path))
    near = {}
    if job.spatial_needed:
        # The attribute rules' output is written (and measured) on a thread of its own (SQLite and GDAL
        # release the GIL) while the spatial rules are computed; their few changes are applied afterwards
        # as UPDATEs. That write reports no progress (a Python callback would take the GIL for every
        # feature) and, when the run is cancelled, is waited for.
        pool = ThreadPoolExecutor(max_workers=1)
        written = pool.submit(write, None, [c[0] for c in combinations])
        store = reader.geometries()
        try:
            near = spatialrules.spatial_rules(job.land_cover, job.classifier, feedback,
                                              {values: fids for values, _count, fids in combinations}, store)
        finally:
            combinations = None
            if store is not None:
                store.close()
            pool.shutdown(wait=True)
        measured = written.result()
    else:
        measured = write(feedback, [c[0] for c in combinations])
    if feedback.isCanceled() or measured is None:
        gpkg.remove_gpkg(target.out_path)   # written without the spatial rules: not an output
        return None
    reader.update(target.out_path, target.out_layer, near_changes(job.classifier, near, columns))
    _check_written(job, count_in, measured, feedback)
    return measured[1]


# -- PostGIS push-down -----------------------------------------------------------------------------------------

@dataclasses.dataclass
class PushDown:
    """The push-down of one run: the input's reader (fastpath.pg.PgReclassifier), the output table
    (fastpath.pg.PgTable) and the input's field names (copied to the output)."""

    reader: pg.PgReclassifier
    out: pg.PgTable
    fields: list


def pushdown_target(relation, destination, land_cover):
    """The PushDown of ``relation`` (fastpath.pg.PgRelation of the input) written to ``destination`` (the output's
    QgsDataSourceUri); raises gpkg.FastPathUnavailable when it does not qualify: another database, the input
    table itself, curved or Z/M geometries, a code field that is not text, a key that is not unique."""
    reader, out = postgis.pushdown_output(relation, destination, land_cover.source.wkbType())
    try:
        reader.check([f for v in land_cover.vintages for f in (v.cs_field, v.us_field)])
    except Exception:
        reader.close()
        raise
    return PushDown(reader, out, land_cover.source.fields().names())


def run_pushdown(job, target, feedback):
    """The attribute rules as one CREATE TABLE … AS SELECT run by PostgreSQL, then the spatial rules as UPDATEs;
    the output is checked (feature count, area) and the counts are reported. Returns the number of features
    written, None when cancelled (the table dropped)."""
    reader, out = target.reader, target.out
    try:
        count_in, area_in = reader.feature_count(), reader.area()
        vintages = job.land_cover.vintages
        combinations = reader.combinations([f for v in vintages for f in (v.cs_field, v.us_field)],
                                           with_fids=job.spatial_needed)
        columns = job.columns()
        lookup = gpkg.Lookup([(v.cs_field, v.us_field) for v in vintages], columns,
                             lookup_tables(job, combinations))
        feedback.pushInfo(translate("ReclassifyAlgorithm", "Attribute rules run by PostgreSQL (push-down): "
                                                           "writing {0}…").format(out.name))
        write = functools.partial(reader.write, out, lookup, target.fields, [c[0] for c in combinations])
        near = {}
        if job.spatial_needed:
            # PostgreSQL writes the table while the spatial rules are computed here (GDAL waits without the GIL)
            pool = ThreadPoolExecutor(max_workers=1)
            written = pool.submit(write)
            store = reader.geometries()
            try:
                near = spatialrules.spatial_rules(job.land_cover, job.classifier, feedback,
                                                  {values: fids for values, _count, fids in combinations}, store)
            finally:
                combinations = None
                store.close()
                pool.shutdown(wait=True)
            written.result()
        else:
            write()
        if feedback.isCanceled():
            reader.drop(out)   # written without the spatial rules: not an output
            return None
        reader.update(out, near_changes(job.classifier, near, columns))
        count_out, area_out = reader.output_measures(out)
    finally:
        reader.close()
    _check_written(job, count_in, (area_in, count_out, area_out), feedback)
    return count_out


def near_changes(classifier, near, columns):
    """[(fids, {column: value})] that turn the attribute rules' values of the polygons ``near`` (from
    spatial_rules) into their near values (the columns whose value changes only)."""
    groups = {}
    for (fid, v_index), result in near.items():
        groups.setdefault((v_index, id(result)), (result, []))[1].append(fid)
    changes = []
    for (v_index, _id), (result, fids) in groups.items():
        values = classifier.near_values(result)
        changes.append((fids, {name: value for (name, _kind), value, old in zip(columns[v_index], values,
                                                                               result.values) if value != old}))
    return changes


def _check_written(job, count_in, measured, feedback):
    """Stop when the output lost features or area; else say what was written and report the counts."""
    area_in, count_out, area_out = measured
    if count_out != count_in:
        raise QgsProcessingException(translate("ReclassifyAlgorithm", "{0} features read but {1} written.").format(
            count_in, count_out))
    factor = job.land_cover.meter.factor
    if abs(area_out - area_in) > 1e-9 * max(area_in, 1.0):
        raise QgsProcessingException(translate(
            "ReclassifyAlgorithm", "Area not conserved: {0} ha in, {1} ha out.").format(
            local_number(area_in * factor / 1e4, 4), local_number(area_out * factor / 1e4, 4)))
    feedback.pushInfo(translate("ReclassifyAlgorithm", "{0} features read and written, {1} ha in and out "
                                                       "(geometries copied unchanged).").format(
        count_out, local_number(area_out * factor / 1e4, 4)))
    job.counts.report(feedback)
