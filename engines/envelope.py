"""The enveloppe urbaine of each vintage of a land-cover layer (ocs:urbanenvelope, regional OCS2D definition):
the members (couverture × usage pairs of the nomenclature's envelope predicate) closed as Geo2France's ENAF script
does it (spatial.close_group: +buffer round, union, −buffer bevel per block, blocks of at least the minimum area,
holes filled, pieces under the minimum dropped); computed in the CRS of the measures (the layer's when it measures
true metres, else Lambert-93 / the territory's / an equal-area CRS: landcover.metric_frame), written in the layer's.
"""
import dataclasses
from collections import Counter

from qgis.core import QgsCoordinateTransform, QgsFeature, QgsFeatureRequest, QgsFeatureSink, QgsFields, \
    QgsProcessingException
from qgis.PyQt.QtCore import QCoreApplication

from .. import compat
from ..core import nomenclature as nom
from ..core import rules
from ..language import number as local_number
from . import landcover, spatial

translate = QCoreApplication.translate


@dataclasses.dataclass
class EnvelopeOptions:
    """The closing distance (m) and the smallest part kept (m²)."""

    buffer: float = spatial.ENVELOPE_BUFFER
    min_area_m2: float = spatial.ENVELOPE_MIN_AREA_HA * 1e4


@dataclasses.dataclass
class VintageEnvelope:
    """What was written for one vintage: its number of parts and their area (ha, as the log says it)."""

    vintage: str
    parts: int
    area_ha: float


def output_fields():
    """id, millesime, surface_ha."""
    fields = QgsFields()
    fields.append(compat.make_field("id", "int"))
    fields.append(compat.make_field("millesime", "str", 10))
    fields.append(compat.make_field("surface_ha", "double"))
    return fields


def membership(key):
    """A PairMemo (cs, us) → True, False or "unknown" (a code outside nomenclature ``key``, or NULL) on plain
    values (nom.plain), once per distinct pair."""
    predicate = rules.envelope_predicate(key)
    nomen = nom.get_nomenclature(key)

    def member(cs_plain, us_plain):
        cs, us = nom.normalise_code(cs_plain), nom.normalise_code(us_plain)
        known = cs in nomen.cs and us in nomen.us
        return predicate(cs, us) if known else "unknown"
    return landcover.PairMemo(member)


def read_members(land_cover, feedback):
    """[[member WKB]] per vintage, repaired, non-empty and in the metric CRS (one copy per feature shared by its
    vintages); None when cancelled. Unknown or NULL codes and repairs are reported."""
    source = land_cover.source
    to_metric = land_cover.transform
    members = [[] for _ in land_cover.vintages]
    repairs = {}
    unknown = Counter()
    indexes = land_cover.indexes()
    total = source.featureCount() or 1
    member_of = membership(land_cover.nomenclature)
    known = member_of.values   # the memo's dict, read first: no call per feature once a pair is known
    request = QgsFeatureRequest().setSubsetOfAttributes([i for pair in indexes for i in pair])
    for count, feature in enumerate(landcover.features(source, request)):
        if feedback.isCanceled():
            return None
        attributes = feature.attributes()
        geometry = None
        for v, (cs_index, us_index) in enumerate(indexes):
            pair = (nom.plain(attributes[cs_index]), nom.plain(attributes[us_index]))
            member = known.get(pair)
            if member is None:
                member = member_of(*pair)
            if member == "unknown":
                unknown["%s/%s" % pair] += 1
                continue
            if not member:
                continue
            if geometry is None:
                geometry = spatial.repaired(feature.geometry(), repairs)
                if geometry is None or geometry.isEmpty():
                    break
                if to_metric is not None:
                    geometry.transform(to_metric)
                geometry = bytes(geometry.asWkb())   # kept as WKB: a third of the memory, no conversion later
            members[v].append(geometry)
        if count % 5000 == 0:
            feedback.setProgress(60.0 * count / total)
    landcover.report_counts(feedback, translate(
        "UrbanEnvelopeAlgorithm", "{0} feature-vintages have unknown or NULL codes and were not "
                                  "considered for the envelope."), unknown)
    if repairs.get("invalid"):
        feedback.reportError(translate(
            "UrbanEnvelopeAlgorithm", "{0} invalid geometries were repaired before the union.").format(
            repairs["invalid"]), False)
    return members


def write_envelopes(land_cover, options, sink, context, feedback):
    """Write the envelope parts of every vintage of ``land_cover`` into ``sink`` (made with ``output_fields()``,
    polygons in the layer's CRS), numbered from 1 across the vintages, their areas measured in the CRS of the
    measures (landcover.metric_frame), where they were built, and written in ha rounded to 0.01 as the script
    rounds them (rules.sql_round_ha). Returns [VintageEnvelope], None when cancelled."""
    members = read_members(land_cover, feedback)
    if members is None:
        return None
    back = None
    if land_cover.transform is not None:
        back = QgsCoordinateTransform(land_cover.transform.destinationCrs(), land_cover.crs,
                                      context.transformContext())
    fields = output_fields()
    identifier = 0
    written = []
    for v, vintage in enumerate(land_cover.vintages):
        if feedback.isCanceled():
            return None
        try:
            parts = spatial.envelope_parts(members[v], options.buffer, options.min_area_m2, feedback)
        except RuntimeError as error:
            raise QgsProcessingException(translate(
                "UrbanEnvelopeAlgorithm", "Union failed for vintage {0}: {1}").format(vintage.vintage, error))
        members[v] = None
        total_ha = 0.0
        for part in parts:
            # measured where it was built (the CRS of the measures), then written in the layer's CRS
            area_m2 = part.area() if back is not None else land_cover.meter.area(part)
            if back is not None:
                part.transform(back)
            identifier += 1
            feature = QgsFeature(fields)
            feature.setGeometry(part)
            total_ha += area_m2 / 1e4
            feature.setAttributes([identifier, vintage.vintage, rules.sql_round_ha(area_m2)])
            sink.addFeature(feature, QgsFeatureSink.FastInsert)
        feedback.pushInfo(translate("UrbanEnvelopeAlgorithm", "{0}: {1} parts, {2} ha").format(
            vintage.vintage, len(parts), local_number(total_ha, 2)))
        feedback.setProgress(60.0 + 40.0 * (v + 1) / len(land_cover.vintages))
        written.append(VintageEnvelope(vintage.vintage, len(parts), total_ha))
    return written
