"""The OCS2D spatial rules inside the change tools (ocs:changedetection, ocs:transitionmatrix,
ocs:territoryflows, ocs:zantrajectory): the same overrides as ocs:reclassify, computed once per input layer.

A piece of land is classified by its (cs, us) pair (core.changes.SideClassifier). For the polygons that an OCS2D
spatial rule overrides (US7.0.0 whose point on surface lies within 20 m of an espace urbanisé; agricultural
structures within 50 m of the enveloppe urbaine of their vintage), ``engines.spatialrules.spatial_rules`` gives
the pair's PairResult, and ``rules.Reclassifier.near_values`` the values ocs:reclassify writes for them; they are
handed to the side classifier as the precomputed values of the target and of the ENAF class, as if the input had
been reclassified first. Fields already written by ocs:reclassify (``p4_``/``p21_``/``enaf_``/``naf_``) win.
"""
from qgis.PyQt.QtCore import QCoreApplication

from ..core import nomenclature as nom
from ..core import rules
from ..fastpath import gpkg, pg
from . import landcover, spatialrules

translate = QCoreApplication.translate

# Targets of core.changes whose code a spatial rule can move (artificialisation cannot: the rules leave it).
RULE_TARGETS = ("p4", "p21", "enaf", "naf")
# What the spatial rules are computed for (the targets of ocs:reclassify whose values they override).
RECLASSIFY_TARGETS = ["p4", "p21", "enaf"]


def years_needing_rules(key, target, statuses, indexes):
    """The vintages whose sides depend on an OCS2D spatial rule and are not precomputed: on an OCS2D layer
    (``key``), those without a field of ocs:reclassify for the compared ``target`` (4 postes, 21 postes, ENAF,
    NAF) or, when the caller uses the statuses (``statuses``: type of change, flows), without ``enaf_<yyyy>``.
    ``indexes``: {year: (cs, us, target field, enaf field, artif field indexes)} (-1: no such field)."""
    if key == nom.OCSGE:
        return []
    years = []
    for year, (_cs, _us, pre_code, pre_enaf, _artif) in indexes.items():
        if (target in RULE_TARGETS and pre_code < 0) or (statuses and pre_enaf < 0):
            years.append(year)
    return years


def near_values(classifier, result, target):
    """(value of ``target`` or None, ENAF code) of a pair once a spatial rule fired on it (``result``: its
    PairResult from ``classifier``, a rules.Reclassifier of RECLASSIFY_TARGETS)."""
    values = {field.key: value for field, value in zip(classifier.fields, classifier.near_values(result))
              if not field.is_label}
    return (values.get(target) if target in RULE_TARGETS else None), values.get("enaf")


def overrides(land_cover, target, feedback, gpkg_layer=None, pg_relation=None):
    """{(fid, year): (value of ``target`` or None, ENAF code)} of the polygons of ``land_cover`` (a
    landcover.LandCover with the vintages to compute) that an OCS2D spatial rule overrides; None when cancelled.

    ``gpkg_layer``: (path, layer name) when the source is a whole GeoPackage layer, ``pg_relation``: the
    fastpath.pg.PgRelation of a whole PostgreSQL layer: the codes are read with one SQL GROUP BY and only the
    geometries the rules need are read (as ocs:reclassify's fast path and push-down do)."""
    classifier = rules.Reclassifier(land_cover.nomenclature, RECLASSIFY_TARGETS)
    by_codes, store = _sql_reading(land_cover, gpkg_layer, pg_relation, feedback)
    try:
        near = spatialrules.spatial_rules(land_cover, classifier, feedback, by_codes, store)
    finally:
        by_codes = None
        if store is not None:
            store.close()
    if feedback.isCanceled():
        return None
    values = {}
    found = {}
    years = land_cover.years()
    for (fid, v_index), result in near.items():
        pair = values.get(id(result))
        if pair is None:
            pair = values[id(result)] = near_values(classifier, result, target)
        found[(fid, years[v_index])] = pair
    return found


def _sql_reading(land_cover, gpkg_layer, pg_relation, feedback):
    """(by_codes or None, GpkgGeometries / PgGeometries or None) of a whole GeoPackage or PostgreSQL layer in a
    metric CRS; (None, None) when it does not qualify (the spatial rules then read the source through QGIS, with
    the same results)."""
    if (gpkg_layer is None and pg_relation is None) or land_cover.transform is not None:
        return None, None
    try:
        reader = gpkg.GpkgReclassifier(*gpkg_layer) if gpkg_layer is not None else pg.PgReclassifier(pg_relation)
        try:
            fields = [f for v in land_cover.vintages for f in (v.cs_field, v.us_field)]
            if gpkg_layer is not None:
                if not all(reader.is_text(f) for f in fields):
                    return None, None
            else:
                reader.check(fields)
            combinations = reader.combinations(fields, with_fids=True)
            store = reader.geometries()
        finally:
            reader.close()
    except (gpkg.FastPathUnavailable, RuntimeError) as reason:
        feedback.pushDebugInfo("SQL reading not used for the spatial rules: %s" % reason)
        return None, None
    return {values: fids for values, _count, fids in combinations}, store
