"""Where measures are made (engines/landcover.metric_frame, rule in core/metric.py), checked against scale
factors computed by hand from the projections' formulas (GRS80 / WGS 84 ellipsoid).

Over Lille (3.06° E, 50.63° N), on a 200 m extent:
- Lambert-93 (conic, standard parallels 44° and 49°): k = m1 t^n / (m t1^n) ≈ 1.00169, areas × 1.00338;
- Web Mercator: k_parallel = √(1 − e² sin²φ) / cos φ, k_meridian = (1 − e² sin²φ)^1.5 / ((1 − e²) cos φ),
  areas × 2.482: against Lambert-93, 2.474, a scale error of 147 %;
- UTM 31N (central meridian 3° E): k ≈ 0.9996 (1 + (Δλ cos φ)² / 2) ≈ 0.99960, areas × 0.99920: against
  Lambert-93, −0.42 %: over the 0.1 % tolerance, so measured in Lambert-93 (the same land in EPSG:2154 and
  EPSG:32631 would otherwise differ by 0.42 %);
- UTM 33N (central meridian 15° E, 12° away): areas × 1.0169, +1.35 % against Lambert-93.
"""
import math

import pytest
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsPointXY,
    QgsProcessingContext,
    QgsProject,
    QgsRectangle,
)

from helpers import Feedback
from ocs_toolbox.engines import landcover

A, F = 6378137.0, 1 / 298.257222101
E2 = F * (2 - F)
E = math.sqrt(E2)
LILLE = (3.06, 50.63)


def m(phi):
    return math.cos(phi) / math.sqrt(1 - E2 * math.sin(phi) ** 2)


def t(phi):
    s = E * math.sin(phi)
    return math.tan(math.pi / 4 - phi / 2) / ((1 - s) / (1 + s)) ** (E / 2)


def lambert93_k(lat):
    phi1, phi2, phi = math.radians(44.0), math.radians(49.0), math.radians(lat)
    n = (math.log(m(phi1)) - math.log(m(phi2))) / (math.log(t(phi1)) - math.log(t(phi2)))
    return m(phi1) * t(phi) ** n / (m(phi) * t(phi1) ** n)


def mercator_areal(lat):
    phi = math.radians(lat)
    w = 1 - E2 * math.sin(phi) ** 2
    return math.sqrt(w) / math.cos(phi) * w ** 1.5 / ((1 - E2) * math.cos(phi))


def utm_k(lon, lat, central):
    d = math.radians(lon - central) * math.cos(math.radians(lat))
    return 0.9996 * (1 + d * d / 2)


def frame(authid, lon, lat, half=100.0):
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    crs = QgsCoordinateReferenceSystem(authid)
    if crs.isGeographic():
        extent = QgsRectangle(lon - 0.001, lat - 0.001, lon + 0.001, lat + 0.001)
    else:
        to_crs = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"), crs, context.transformContext())
        p = to_crs.transform(QgsPointXY(lon, lat))
        extent = QgsRectangle(p.x() - half, p.y() - half, p.x() + half, p.y() + half)
    return landcover.metric_frame(crs, extent, context), context


def test_hand_scale_factors():
    assert lambert93_k(44.0) == pytest.approx(1.0, abs=1e-12) and lambert93_k(49.0) == pytest.approx(1.0, abs=1e-12)
    assert lambert93_k(LILLE[1]) == pytest.approx(1.00169, abs=1e-5)
    assert mercator_areal(LILLE[1]) == pytest.approx(2.482, abs=1e-3)


def test_lambert93_at_lille_is_kept():
    found, _context = frame("EPSG:2154", *LILLE)
    assert found.kept and found.transform is None and found.scale_error == 0.0
    assert found.reference.name == "France métropolitaine"


def test_web_mercator_at_lille_is_measured_in_lambert93():
    found, _context = frame("EPSG:3857", *LILLE)
    expected = mercator_areal(LILLE[1]) / lambert93_k(LILLE[1]) ** 2 - 1      # 1.474
    assert not found.kept and found.measure_crs.authid() == "EPSG:2154"
    assert found.scale_error == pytest.approx(expected, rel=2e-3)
    assert 1.46 < found.scale_error < 1.49


def test_utm31_at_lille_is_off_lambert93_by_0_42_percent():
    found, _context = frame("EPSG:32631", *LILLE)
    expected = 1 - (utm_k(LILLE[0], LILLE[1], 3.0) / lambert93_k(LILLE[1])) ** 2        # 0.00417
    assert found.scale_error == pytest.approx(expected, rel=2e-2)
    assert found.scale_error == pytest.approx(0.0042, abs=1e-4)
    assert not found.kept and found.measure_crs.authid() == "EPSG:2154"


def test_a_utm_zone_far_away_is_rejected():
    found, _context = frame("EPSG:32633", *LILLE)
    expected = (utm_k(LILLE[0], LILLE[1], 15.0) / lambert93_k(LILLE[1])) ** 2 - 1       # 0.0135
    assert found.scale_error == pytest.approx(expected, rel=2e-2)
    assert not found.kept and found.measure_crs.authid() == "EPSG:2154"


def test_a_cc_zone_is_kept_where_it_agrees_with_lambert93():
    # CC49 at 49° N, Lambert-93's standard parallel: CC49's scale there is 0.99990 (secant at 48.25° and 49.75°)
    found, _context = frame("EPSG:3949", 3.0, 49.0)
    assert found.kept and found.scale_error < 0.0003
    # CC50 at Lille: true to 0.005 % on the ellipsoid, but 0.34 % off Lambert-93
    found, _context = frame("EPSG:3950", *LILLE)
    assert not found.kept and found.scale_error == pytest.approx(lambert93_k(LILLE[1]) ** 2 - 1, abs=2e-4)


def test_geographic_crs_is_measured_in_the_territory_crs():
    found, _context = frame("EPSG:4326", *LILLE)
    assert not found.kept and found.measure_crs.authid() == "EPSG:2154" and found.scale_error is None
    found, _context = frame("EPSG:4326", -52.33, 4.94)
    assert found.measure_crs.authid() == "EPSG:2972"


@pytest.mark.parametrize("authid, lon, lat, official", [
    ("EPSG:2972", -52.33, 4.94, "EPSG:2972"), ("EPSG:32622", -52.33, 4.94, "EPSG:2972"),
    ("EPSG:2975", 55.45, -20.88, "EPSG:2975"), ("EPSG:5490", -61.53, 16.24, "EPSG:5490"),
    ("EPSG:4471", 45.23, -12.78, "EPSG:4471")])
def test_overseas_official_crs_kept(authid, lon, lat, official):
    found, _context = frame(authid, lon, lat)
    assert found.kept and found.reference.authid == official and found.scale_error < 1e-6


def test_web_mercator_overseas_goes_to_the_official_crs():
    # Cayenne, 4.94° N: Mercator areas × 1/cos²φ ≈ 1.0074, UTM 22N × 0.9997 near 52.3° W
    found, _context = frame("EPSG:3857", -52.33, 4.94)
    assert not found.kept and found.measure_crs.authid() == "EPSG:2972"
    assert found.scale_error == pytest.approx(mercator_areal(4.94) / utm_k(-52.33, 4.94, -51.0) ** 2 - 1, rel=2e-2)


def test_elsewhere_utm_near_its_meridian_is_kept_and_web_mercator_goes_equal_area():
    found, _context = frame("EPSG:32618", -75.0, 40.0)
    assert found.kept and found.reference is None
    assert found.scale_error == pytest.approx(1 - 0.9996 ** 2, rel=1e-2)      # 0.08 % on the ellipsoid
    found, context = frame("EPSG:3857", -75.0, 40.0)
    assert not found.kept and "+proj=laea" in found.measure_crs.toProj()
    assert "+lat_0=40" in found.measure_crs.toProj() and "+lon_0=-75" in found.measure_crs.toProj()
    # an equal-area CRS: a square of 1 km in Web Mercator has the same area there as on the ellipsoid
    meter = landcover.AreaMeter(found.crs, context, found.transform)
    from qgis.core import QgsGeometry
    x, y = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"), found.crs,
                                  context.transformContext()).transform(QgsPointXY(-75.0, 40.0))
    square = QgsGeometry.fromRect(QgsRectangle(x, y, x + 1000, y + 1000))
    ellipsoidal = landcover.ellipsoidal(found.crs, context).measureArea(square)
    assert meter.area(square) == pytest.approx(ellipsoidal, rel=1e-6)
    assert meter.area(square) == pytest.approx(1e6 / mercator_areal(40.0), rel=2e-3)


def test_the_log_says_it_once():
    found, _context = frame("EPSG:3857", *LILLE)
    feedback = Feedback()
    landcover.report_frame(found, feedback)
    [line] = feedback.infos
    assert line.startswith("Areas, lengths and distances are measured in EPSG:2154 (RGF93 v1 / Lambert-93)")
    assert "EPSG:3857" in line and "scale error 147." in line
