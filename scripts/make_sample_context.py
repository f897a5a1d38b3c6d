#!/usr/bin/env python3
"""Context layers of the sample territory for ocs:friches (make sample): sample/contexte_friches.gpkg.

Invented but plausible, deterministic, built from the sample's own OCS2D and communes (GDAL/OGR only):
- ``mairies``: one town hall per commune, on the commune's largest patch of housing (2021);
- ``gares``: two stations, on the two largest activity/housing patches;
- ``services``: shops and services (field ``typequ``, BPE codes) every 250 m along the housing patches, plus a few
  codes the friche criterion does not count (X999);
- ``inondation``: a flood zone, 150 m on each side of the territory's main water course (CS3 polygons);
- ``plu``: zones with ``typezone`` U (urban fabric of 2021 grown by 30 m) and A elsewhere in the communes;
- ``protege``: a protected area around the largest wood (CS4, grown by 50 m);
- ``pollution``: two polluted sites (points) on the friches that appeared between 2005 and 2015.

    python3 scripts/make_sample_context.py sample
"""
import os
import sys

from osgeo import ogr, osr

URBAN = ("US2", "US3", "US5")


def layer_rows(dataset_path, layer_name, where=None):
    dataset = ogr.Open(dataset_path)
    layer = dataset.GetLayerByName(layer_name)
    if where:
        layer.SetAttributeFilter(where)
    rows = [(feature.GetGeometryRef().Clone(), feature.items()) for feature in layer]
    return rows


def parts(geometry):
    if geometry is None or geometry.IsEmpty():
        return []
    if geometry.GetGeometryType() in (ogr.wkbMultiPolygon, ogr.wkbGeometryCollection):
        return [geometry.GetGeometryRef(i).Clone() for i in range(geometry.GetGeometryCount())
                if geometry.GetGeometryRef(i).GetGeometryType() in (ogr.wkbPolygon, ogr.wkbPolygon25D)]
    return [geometry]


def union(geometries):
    collection = ogr.Geometry(ogr.wkbMultiPolygon)
    for geometry in geometries:
        for part in parts(geometry):
            collection.AddGeometry(part)
    return collection.UnionCascaded()


def write(dataset, name, srs, geometry_type, fields, rows):
    layer = dataset.CreateLayer(name, srs, geometry_type)
    for field_name in fields:
        layer.CreateField(ogr.FieldDefn(field_name, ogr.OFTString))
    for geometry, values in rows:
        feature = ogr.Feature(layer.GetLayerDefn())
        if geometry_type == ogr.wkbMultiPolygon:
            geometry = ogr.ForceToMultiPolygon(geometry)
        feature.SetGeometry(geometry)
        for field_name, value in zip(fields, values):
            feature.SetField(field_name, value)
        layer.CreateFeature(feature)


def main(folder):
    ocs = os.path.join(folder, "ocs2d_sample.gpkg")
    communes = layer_rows(os.path.join(folder, "communes.gpkg"), "communes")
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(2154)
    urban = [g for g, items in layer_rows(ocs, "ocs2d") if (items["us21"] or "")[:3] in URBAN]
    housing = [g for g, items in layer_rows(ocs, "ocs2d") if (items["us21"] or "").startswith("US5")]
    urban_union, housing_union = union(urban), union(housing)
    halls = []
    for geometry, items in sorted(communes, key=lambda c: c[1]["insee_com"]):
        patches = sorted(parts(housing_union.Intersection(geometry)), key=lambda p: -p.GetArea())
        where = patches[0] if patches else geometry
        halls.append((where.PointOnSurface(), ("Mairie de %s" % items["nom_com"], items["insee_com"])))
    big = sorted(parts(urban_union), key=lambda p: -p.GetArea())
    stations = [(p.PointOnSurface(), ("Gare %d" % (i + 1),)) for i, p in enumerate(big[:2])]
    services = []
    codes = ("B104", "B201", "B202", "A203", "D307", "X999")
    for i, patch in enumerate(sorted(parts(housing_union), key=lambda p: -p.GetArea())[:12]):
        envelope = patch.GetEnvelope()
        x = envelope[0] + 100.0
        while x < envelope[1]:
            point = ogr.Geometry(ogr.wkbPoint)
            point.AddPoint_2D(x, (envelope[2] + envelope[3]) / 2.0)
            if patch.Contains(point):
                services.append((point, (codes[len(services) % len(codes)],)))
            x += 250.0
    water = union([g for g, items in layer_rows(ocs, "ocs2d") if (items["cs21"] or "").startswith("CS3")])
    flood = [(water.Buffer(150.0, 8), ("Zone inondable (exemple)",))] if not water.IsEmpty() else []
    territory = union([g for g, _i in communes])
    u_zone = urban_union.Buffer(30.0, 4).Intersection(territory)
    a_zone = territory.Difference(u_zone)
    zoning = [(u_zone, ("U",)), (a_zone, ("A",))]
    woods = sorted(parts(union([g for g, items in layer_rows(ocs, "ocs2d")
                                if (items["cs21"] or "").startswith("CS4")])), key=lambda p: -p.GetArea())
    protected = [(woods[0].Buffer(50.0, 8), ("Espace naturel protégé (exemple)",))] if woods else []
    friches = [g for g, items in layer_rows(ocs, "ocs2d")
               if items["us05"] == "US2.1.1" and items["us15"] == "US6.2.1"]
    pollution = [(g.PointOnSurface(), ("Site pollué (exemple) %d" % (i + 1),))
                 for i, g in enumerate(sorted(friches, key=lambda g: g.GetEnvelope())[:2])]
    path = os.path.join(folder, "contexte_friches.gpkg")
    if os.path.exists(path):
        os.remove(path)
    dataset = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    write(dataset, "mairies", srs, ogr.wkbPoint, ("nom", "insee_com"), halls)
    write(dataset, "gares", srs, ogr.wkbPoint, ("nom",), stations)
    write(dataset, "services", srs, ogr.wkbPoint, ("typequ",), services)
    write(dataset, "inondation", srs, ogr.wkbMultiPolygon, ("nom",), flood)
    write(dataset, "plu", srs, ogr.wkbMultiPolygon, ("typezone",), zoning)
    write(dataset, "protege", srs, ogr.wkbMultiPolygon, ("nom",), protected)
    write(dataset, "pollution", srs, ogr.wkbPoint, ("nom",), pollution)
    dataset = None
    print("%s: %d town halls, %d stations, %d services, %d flood zone, %d PLU zones, %d protected area, "
          "%d polluted sites" % (path, len(halls), len(stations), len(services), len(flood), len(zoning),
                                 len(protected), len(pollution)))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "sample")
