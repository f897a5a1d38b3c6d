"""The PostGIS push-down of ocs:changedetection on one multi-date layer (issue #17).

When the input is a whole PostgreSQL table, view or query layer with an integer key and the output a table of the
same database, the polygons are not read one by one: the OCS2D spatial rules read the codes with one GROUP BY and
only the geometries they need (engines/changerules.py), the polygons are then grouped by the values of their code
fields and the override of a spatial rule (one GROUP BY, with their count and area), each group is classified once
by the rules every change tool uses (ChangeJob.run_groups: same sides, matrix, counts and checks as the
feature-by-feature path), and PostgreSQL writes the change polygons in one ``CREATE TABLE … AS SELECT`` joining the
values of each group (fastpath/pg.py). Without zones, two layers, areas measured in another CRS, or an output in
another database, the feature-by-feature path runs.

The tools that need no geometry of the pieces (ocs:transitionmatrix, ocs:territoryflows, ocs:zantrajectory without
zones) read a whole PostGIS input by the same groups, whatever their output (``run_by_groups``).
"""
import dataclasses

from osgeo import ogr
from qgis.core import QgsProcessingException
from qgis.PyQt.QtCore import QCoreApplication

from ..core import changes as ch
from ..fastpath import pg
from ..fastpath.gpkg import FastPathUnavailable
from ..language import number as local_number
from . import postgis

translate = QCoreApplication.translate

ACCEPTED_TYPES = ("String", "Integer", "Integer64")     # types of the code fields the groups are keyed on


@dataclasses.dataclass
class DetectionPushDown:
    """The push-down of one run: the input's reader (fastpath.pg.PgReclassifier) and the output table
    (fastpath.pg.PgTable)."""

    reader: object
    out: object


def pushdown_target(job, relation, destination):
    """The DetectionPushDown of ChangeJob ``job`` reading PgRelation ``relation`` and writing QgsDataSourceUri
    ``destination``; raises FastPathUnavailable with the reason when it does not apply."""
    _check_job(job)
    reader, out = postgis.pushdown_output(relation, destination, job.before.source.wkbType())
    try:
        _check_fields(job, reader)
    except Exception:
        reader.close()
        raise
    return DetectionPushDown(reader, out)


def run(job, target, only_changes, transitions, feedback):
    """Classify the groups of polygons of ``job`` (a multi-date ChangeJob of one period) into ``transitions``
    and write the change polygons (all of them unless ``only_changes``) to the output table with the fields of
    core.changes.DETECTION_FIELDS. Returns (count, area m², {type of change: area m²}) of the polygons written,
    or None when cancelled."""
    reader, out = target.reader, target.out
    period = job.periods[0]
    factor = job.meter.factor
    try:
        groups, grouping = _groups(job, reader)
        classified = job.run_groups(transitions, groups)
        if classified is None:
            return None
        rows, type_areas, kept = {}, {}, [0, 0.0]
        for (_values, _override, count, area, key), sides in classified:
            before, after = sides[period[0]], sides[period[1]]
            row = ch.detection_values(before, after, None, period)
            type_areas[row[5]] = type_areas.get(row[5], 0.0) + area * factor
            if only_changes and before.code == after.code:
                continue
            rows[key] = row
            kept[0] += count
            kept[1] += area * factor
        reader.write_changes(out, grouping, rows, ch.DETECTION_FIELDS, "surface_m2", factor)
        if feedback.isCanceled():
            reader.drop(out)
            return None
        count_out, area_out = reader.output_measures(out)
    finally:
        reader.close()
    area_out *= factor
    if count_out != kept[0] or abs(area_out - kept[1]) > 1e-9 * max(kept[1], 1.0):
        raise QgsProcessingException(translate(
            "ChangeAlgorithm", "{0} change polygons ({1} ha) expected in {2}, {3} ({4} ha) written.").format(
            kept[0], local_number(kept[1] / 1e4, 4), out.name, count_out, local_number(area_out / 1e4, 4)))
    return kept[0], kept[1], type_areas


def run_by_groups(job, transitions, feedback):
    """The stream of a ChangeJob whose pieces no consumer needs (a transition matrix, flows, a ZAN trajectory
    without zones) read by groups from PostgreSQL when its input is a whole PostGIS layer (see pushdown_target):
    True when done, False when cancelled, None when it does not apply (the caller reads the features)."""
    relation = job.before.pg_relation
    if relation is None:
        return None
    try:
        _check_job(job)
        reader = pg.PgReclassifier(relation)
    except (FastPathUnavailable, RuntimeError) as reason:
        feedback.pushDebugInfo("PostgreSQL groups not used: %s" % reason)
        return None
    try:
        try:
            _check_fields(job, reader)
        except (FastPathUnavailable, RuntimeError) as reason:
            feedback.pushDebugInfo("PostgreSQL groups not used: %s" % reason)
            return None
        feedback.pushInfo(translate("ChangeAlgorithm", "Polygons grouped by their codes by PostgreSQL: no "
                                                       "geometry read but for the spatial rules."))
        return job.run_groups(transitions, _groups(job, reader)[0]) is not None
    finally:
        reader.close()


def _check_job(job):
    """Raise FastPathUnavailable unless ``job`` reads one multi-date layer, without zones, measured in its CRS."""
    if job.mode != "multidate":
        raise FastPathUnavailable("two layers (the overlay runs here)")
    if job.zones is not None:
        raise FastPathUnavailable("zones")
    if job.meter.transform is not None or job.meter.geographic:
        raise FastPathUnavailable("areas measured in another CRS")


def _check_fields(job, reader):
    """Raise FastPathUnavailable unless the code fields are text (the key unique), the others text or integers."""
    layer = job.before
    reader.check([name for v in layer.vintages for name in (v.cs_field, v.us_field)])
    types = reader.column_types()
    accepted = {getattr(ogr, "OFT" + name) for name in ACCEPTED_TYPES}
    for year in job.years:
        for name in layer.field_names(year):
            if name and types.get(name) not in accepted:
                raise FastPathUnavailable("%s is neither text nor an integer" % name)


def _groups(job, reader):
    """(groups, grouping): the callable ChangeJob.run_groups takes, reading the groups of ``reader``'s relation
    by the fields of ``job``'s sides and the spatial rules' overrides (a pg.Grouping, filled when it is called;
    each group carries its key last)."""
    years = job.years
    columns, slots = _columns(job.before, years)
    grouping = pg.Grouping(columns, [], [])

    def groups(layer):
        grouping.keys, overrides, grouping.overrides = _overrides(layer.near, years)
        job.counters["empty"] += pg.missing_geometries(reader.source)
        found = []
        for key, values, override_numbers, count, area in reader.change_groups(grouping):
            found.append(({year: tuple(None if i is None else values[i] for i in slots[year]) for year in years},
                          {year: overrides[n] for year, n in zip(years, override_numbers) if n is not None},
                          count, area, key))
        return found

    return groups, grouping


def _columns(layer, years):
    """(the distinct field names the sides of ``years`` read, {year: [position in it or None] for the
    couverture, usage, target, ENAF and artificialisation fields})."""
    columns, slots = [], {}
    for year in years:
        slots[year] = []
        for name in layer.field_names(year):
            if not name:
                slots[year].append(None)
                continue
            if name not in columns:
                columns.append(name)
            slots[year].append(columns.index(name))
    return columns, slots


def _overrides(near, years):
    """(keys, overrides, numbers) of the spatial rules' ``near`` {(key, year): override}: the input keys with an
    override, sorted; the distinct overrides; per year, the number of each key's override in them (or None)."""
    overrides, number_of, by_key = [], {}, {}
    for (key, year), override in near.items():
        number = number_of.get(override)
        if number is None:
            number = number_of[override] = len(overrides)
            overrides.append(override)
        by_key.setdefault(key, {})[year] = number
    keys = sorted(by_key)
    return keys, overrides, [[by_key[k].get(year) for k in keys] for year in years]
