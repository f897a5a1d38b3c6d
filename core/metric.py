"""Where areas, lengths, buffers, grid sizes and distances are measured: the rule, without QGIS.

Every figure of the plugin is in true metres as the producers of the data measure them:
- over metropolitan France, in Lambert-93 (EPSG:2154), the CRS in which IGN (OCS GE) and the regional OCS2D
  (Geo2France's published SQL, ``ST_Area`` on EPSG:2154 geometries) compute their areas;
- over an overseas territory, in its official local CRS (décret n° 2000-1276 as amended by décret
  n° 2019-165, "projections légales": RGAF09 / UTM 20N for the Antilles, RGFG95 / UTM 22N for Guyane,
  RGR92 / UTM 40S for La Réunion, RGM04 / UTM 38S for Mayotte, RGSPM06 / UTM 21N for Saint-Pierre-et-Miquelon);
- elsewhere, on the ellipsoid, through a Lambert azimuthal equal-area CRS centred on the data.

A layer's own CRS is used as it is when its measures agree with the reference's within ``TOLERANCE`` (0.1 %)
everywhere over the layer's extent: the largest relative difference of a small square's area and of its two
side lengths, at the corners, the middles of the sides and the centre of the extent (``scale_error``). Otherwise
the measures are made in the reference CRS (Lambert-93, the territory's CRS, or the equal-area one). A
geographic CRS, a CRS whose unit is not the metre, or one that cannot be transformed is never used as it is.
"""
import dataclasses

TOLERANCE = 0.001       # 0.1 %: largest relative difference of areas and lengths with the reference measure


@dataclasses.dataclass(frozen=True)
class Territory:
    """A territory with an official CRS: its name (French, as the log says it), the CRS (authid) and the
    longitude/latitude box that selects it (the centre of the layer's extent inside it)."""

    name: str
    authid: str
    box: tuple      # (lon min, lat min, lon max, lat max), degrees


TERRITORIES = (
    Territory("France métropolitaine", "EPSG:2154", (-6.0, 41.0, 10.0, 51.5)),
    Territory("Antilles", "EPSG:5490", (-63.5, 14.0, -60.5, 18.5)),
    Territory("Guyane", "EPSG:2972", (-55.0, 1.5, -51.0, 6.5)),
    Territory("La Réunion", "EPSG:2975", (54.9, -21.6, 56.1, -20.6)),
    Territory("Mayotte", "EPSG:4471", (44.8, -13.2, 45.5, -12.4)),
    Territory("Saint-Pierre-et-Miquelon", "EPSG:4467", (-56.6, 46.6, -55.9, 47.3)),
)


def territory(lon, lat):
    """The Territory whose box holds (lon, lat), None elsewhere."""
    for entry in TERRITORIES:
        lon_min, lat_min, lon_max, lat_max = entry.box
        if lon_min <= lon <= lon_max and lat_min <= lat <= lat_max:
            return entry
    return None


def equal_area_proj(lon, lat):
    """PROJ definition of the Lambert azimuthal equal-area CRS centred on (lon, lat) (rounded to 0.01°), on
    the WGS 84 datum, in metres: areas on the ellipsoid, lengths and distances true near the centre."""
    return "+proj=laea +lat_0=%.2f +lon_0=%.2f +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs" % (
        round(lat, 2) + 0.0, round(lon, 2) + 0.0)


def sample_points(x_min, y_min, x_max, y_max):
    """The 9 points where the scale is compared: corners, middles of the sides, centre."""
    xs = (x_min, (x_min + x_max) / 2.0, x_max)
    ys = (y_min, (y_min + y_max) / 2.0, y_max)
    return [(x, y) for y in ys for x in xs]


def probe_size(x_min, y_min, x_max, y_max, smallest=10.0, largest=1000.0):
    """Side (CRS metres) of the small square measured at each sample point: 1/100 of the extent's larger side,
    between ``smallest`` and ``largest``."""
    return min(largest, max(smallest, max(x_max - x_min, y_max - y_min) / 100.0))


def relative_error(measured, reference):
    """|measured / reference − 1|; infinite when the reference is not positive."""
    if not reference or reference <= 0:
        return float("inf")
    return abs(measured / reference - 1.0)


def scale_error(probes):
    """The largest relative difference over ``probes`` [(area, width, height) in the CRS, (area, width,
    height) by the reference]; infinite when there is none."""
    worst = None
    for own, reference in probes:
        for mine, theirs in zip(own, reference):
            error = relative_error(mine, theirs)
            worst = error if worst is None else max(worst, error)
    return float("inf") if worst is None else worst


def kept(scale_error_value, tolerance=TOLERANCE):
    """True when a CRS with this scale error over the extent is measured as it is."""
    return scale_error_value <= tolerance
