"""scripts/make_sample.py: the sample territory generator (GDAL's osgeo and numpy, no QGIS).

The generator runs once per module into a temporary folder (a few seconds); a second run checks that it is
deterministic and that it leaves existing outputs alone without --force.
"""
import csv
import os
import re
import subprocess
import sys

import pytest

from osgeo import ogr  # noqa: E402  (GDAL ships with QGIS: a missing osgeo is a broken install, not a skip)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "scripts", "make_sample.py")
NOMENCLATURES = os.path.join(ROOT, "resources", "nomenclatures")

OCS2D_FIELDS = ["cs05", "us05", "cs15", "us15", "cs21", "us21", "surf_m2"]
OCSGE_FIELDS = ["ID", "CODE_CS", "CODE_US", "MILLESIME", "SOURCE", "OSSATURE", "ID_ORIGINE", "CODE_OR"]
LAYERS = {
    "communes.gpkg": ("communes", ["insee_com", "nom_com"]),
    "ocs2d_sample.gpkg": ("ocs2d", OCS2D_FIELDS),
    "ocsge_2018.gpkg": ("occupation_sol", OCSGE_FIELDS),
    "ocsge_2021.gpkg": ("occupation_sol", OCSGE_FIELDS),
}


def run_generator(outdir, *extra):
    result = subprocess.run([sys.executable, SCRIPT, str(outdir)] + list(extra),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def read_codes(name, column="code3", leaves_only=False):
    with open(os.path.join(NOMENCLATURES, name), encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader((line for line in handle if not line.startswith("#")), delimiter=";"))
    return {row[column] for row in rows if not leaves_only or row["is_leaf"] == "1"}


def read_table(name):
    with open(os.path.join(NOMENCLATURES, name), encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


class Layer:
    """Features of a GeoPackage layer as (attributes dict, geometry) pairs, read once."""

    def __init__(self, path, name):
        ogr.UseExceptions()
        self.path = path
        ds = ogr.Open(path)
        layer = ds.GetLayerByName(name)
        assert layer is not None, "no layer %s in %s" % (name, path)
        defn = layer.GetLayerDefn()
        self.fields = [defn.GetFieldDefn(k).GetName() for k in range(defn.GetFieldCount())]
        self.geom_type = ogr.GT_Flatten(layer.GetGeomType())
        srs = layer.GetSpatialRef()
        self.epsg = srs.GetAuthorityCode(None) if srs is not None else None
        self.features = []
        for feature in layer:
            attributes = {name: feature.GetField(name) for name in self.fields}
            self.features.append((attributes, feature.GetGeometryRef().Clone()))
        ds = None

    def area(self):
        return sum(geometry.GetArea() for _, geometry in self.features)


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    outdir = tmp_path_factory.mktemp("sample")
    stdout = run_generator(outdir)
    layers = {filename: Layer(str(outdir / filename), name) for filename, (name, _) in LAYERS.items()}
    return outdir, stdout, layers


def test_files_layers_and_fields(sample):
    outdir, stdout, layers = sample
    assert "ocs2d" in stdout and "communes" in stdout        # the summary
    for filename, (name, fields) in LAYERS.items():
        layer = layers[filename]
        assert layer.fields == fields, filename
        assert layer.epsg == "2154", filename
        assert layer.geom_type in (ogr.wkbPolygon, ogr.wkbMultiPolygon), filename
    assert not [name for name in os.listdir(outdir) if name not in LAYERS], "temporary files left behind"


def test_sizes(sample):
    _, _, layers = sample
    communes = layers["communes.gpkg"]
    assert 4 <= len(communes.features) <= 5
    assert all(re.fullmatch(r"62\d{3}", a["insee_com"]) and a["nom_com"] for a, _ in communes.features)
    assert len({a["insee_com"] for a, _ in communes.features}) == len(communes.features)
    assert 1500e4 <= communes.area() <= 2500e4                # about 2,000 ha
    assert 3000 <= len(layers["ocs2d_sample.gpkg"].features) <= 6000
    for year in ("2018", "2021"):
        assert 1500 <= len(layers["ocsge_%s.gpkg" % year].features) <= 3000


def test_ocs2d_codes_are_in_the_2021_nomenclature(sample):
    _, _, layers = sample
    cs_codes = read_codes("ocs2d_couvert_2021.csv")
    us_codes = read_codes("ocs2d_usage_2021.csv")
    for attributes, geometry in layers["ocs2d_sample.gpkg"].features:
        for year in ("05", "15", "21"):
            assert attributes["cs" + year] in cs_codes, attributes
            assert attributes["us" + year] in us_codes, attributes
        assert attributes["surf_m2"] == pytest.approx(geometry.GetArea(), abs=0.01)


def test_ocsge_codes_are_leaves(sample):
    _, _, layers = sample
    cs_leaves = read_codes("ocsge_couverture.csv", "code", leaves_only=True)
    us_leaves = read_codes("ocsge_usage.csv", "code", leaves_only=True)
    for year in ("2018", "2021"):
        features = layers["ocsge_%s.gpkg" % year].features
        ids = [a["ID"] for a, _ in features]
        assert len(set(ids)) == len(ids)
        assert all(re.fullmatch(r"OCSGE\d{19}", i) for i in ids)
        for attributes, _ in features:
            assert attributes["CODE_CS"] in cs_leaves, attributes
            assert attributes["CODE_US"] in us_leaves, attributes
            assert attributes["MILLESIME"] == year
            assert attributes["SOURCE"] == "calcul"
            assert attributes["OSSATURE"] in (0, 1)
            assert attributes["ID_ORIGINE"] == "NC" and attributes["CODE_OR"] == "NC"


def test_geometries_are_valid(sample):
    _, _, layers = sample
    for filename, layer in layers.items():
        invalid = [a for a, g in layer.features if not g.IsValid() or g.IsEmpty()]
        assert not invalid, "%s: %d invalid geometries" % (filename, len(invalid))


def test_layers_cover_the_communes(sample):
    _, _, layers = sample
    communes = layers["communes.gpkg"].area()
    for filename in ("ocs2d_sample.gpkg", "ocsge_2018.gpkg", "ocsge_2021.gpkg"):
        assert layers[filename].area() == pytest.approx(communes, rel=1e-4), filename


def test_no_overlap_and_one_commune_per_ocs2d_polygon(sample):
    _, _, layers = sample
    ocs2d = layers["ocs2d_sample.gpkg"]
    multi = ogr.Geometry(ogr.wkbMultiPolygon)
    for _, geometry in ocs2d.features:
        for k in range(geometry.GetGeometryCount()):
            multi.AddGeometry(geometry.GetGeometryRef(k))
    assert multi.UnionCascaded().GetArea() == pytest.approx(ocs2d.area(), rel=1e-6)   # no overlap
    communes = [(a["insee_com"], g.CreatePreparedGeometry(), g.GetEnvelope())
                for a, g in layers["communes.gpkg"].features]
    for attributes, geometry in ocs2d.features:
        x_min, x_max, y_min, y_max = geometry.GetEnvelope()
        inside = [insee for insee, prepared, (a, b, c, d) in communes
                  if a <= x_min and x_max <= b and c <= y_min and y_max <= d and prepared.Contains(geometry)]
        assert len(inside) == 1, (attributes, inside)


def test_changes_between_vintages(sample):
    _, _, layers = sample
    features = layers["ocs2d_sample.gpkg"].features
    total = layers["ocs2d_sample.gpkg"].area()

    def pair(a, year):
        return a["cs" + year], a["us" + year]

    changed = [(a, g) for a, g in features if pair(a, "05") != pair(a, "21")]
    assert changed
    for first, second in (("05", "15"), ("15", "21")):
        area = sum(g.GetArea() for a, g in features if pair(a, first) != pair(a, second))
        assert 0.02 <= area / total <= 0.08, (first, second, area / total)
    # the scenarios: sprawl through a chantier, a friche, a désartificialisation
    assert any(a["us05"] == "US1.1.3" and a["us15"] == "US6.1.1" and a["us21"].startswith("US5")
               for a, _ in features)
    assert any(a["us05"] == "US2.1.1" and a["us15"] == "US6.2.1" and a["us21"] != "US6.2.1"
               for a, _ in features)
    assert any(a["cs15"] in ("CS1.1.1", "CS1.1.2") and pair(a, "21") == ("CS6.1.1", "US3.2.1")
               for a, _ in features)
    assert any(a["us21"] == "US6.2.3" and a["cs21"] == "CS6.6.0" for a, _ in features)
    stable = sum(1 for a, _ in features if pair(a, "05") == pair(a, "15") == pair(a, "21"))
    assert stable > 0.8 * len(features)


def test_ocsge_follows_the_ocs2d_through_the_crosswalk(sample):
    outdir, _, layers = sample
    cs_map = {row["code3"]: row["ocsge_equiv_geo2france"] for row in read_table("ocs2d_couvert_2021.csv")}
    us_map = {row["code3"]: row["ocsge_equiv_geo2france"] for row in read_table("ocs2d_usage_2021.csv")}
    us_map["US6.2.3"] = "US1.1"
    ds = ogr.Open(str(outdir / "ocs2d_sample.gpkg"))
    ocs2d = ds.GetLayer(0)
    ge18 = layers["ocsge_2018.gpkg"].features
    ge21 = layers["ocsge_2021.gpkg"].features
    assert len(ge18) == len(ge21)
    agree = {"2018": 0, "2021": 0}
    changed = 0
    for (a18, g18), (a21, g21) in zip(ge18, ge21):
        assert g18.Equals(g21)                                  # same tessellation for both vintages
        point = g18.PointOnSurface()
        ocs2d.SetSpatialFilter(point)
        under = [f for f in ocs2d if f.GetGeometryRef().Contains(point)]
        assert len(under) == 1
        f = under[0]
        if (a18["CODE_CS"], a18["CODE_US"]) == (cs_map[f["cs15"]], us_map[f["us15"]]):
            agree["2018"] += 1
        if (a21["CODE_CS"], a21["CODE_US"]) == (cs_map[f["cs21"]], us_map[f["us21"]]):
            agree["2021"] += 1
        changed += (a18["CODE_CS"], a18["CODE_US"]) != (a21["CODE_CS"], a21["CODE_US"])
    assert agree["2018"] == len(ge18)
    assert 0.99 * len(ge21) <= agree["2021"] < len(ge21)        # a few changes of OCS GE's own
    assert changed > 0
    ds = None


def test_deterministic_and_kept_without_force(sample, tmp_path):
    outdir, _, layers = sample
    before = {name: os.path.getmtime(outdir / name) for name in LAYERS}
    stdout = run_generator(outdir)
    assert "--force" in stdout
    assert before == {name: os.path.getmtime(outdir / name) for name in LAYERS}
    run_generator(tmp_path, "--force")
    for filename, (name, _) in LAYERS.items():
        again = Layer(str(tmp_path / filename), name)
        first = layers[filename]
        assert [a for a, _ in again.features] == [a for a, _ in first.features], filename
        assert [g.ExportToWkb() for _, g in again.features] == [g.ExportToWkb() for _, g in first.features]
