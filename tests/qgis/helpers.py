"""Small hand-built layers and a runner that keeps what the algorithm reported."""
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsGeometry,
    QgsProcessingContext,
    QgsProcessingFeatureSource,
    QgsProcessingFeedback,
    QgsProject,
    QgsVectorLayer,
)

# Lambert-93 origin of the fixtures: Lens area, so that a copy in EPSG:4326 lies in France.
X0, Y0 = 700000.0, 7030000.0


def box(x1, y1, x2, y2):
    return "POLYGON((%f %f,%f %f,%f %f,%f %f,%f %f))" % (
        X0 + x1, Y0 + y1, X0 + x2, Y0 + y1, X0 + x2, Y0 + y2, X0 + x1, Y0 + y2, X0 + x1, Y0 + y1)


def make_layer(fields, rows, crs="EPSG:2154", geometry="Polygon", name="fixture"):
    """Memory layer; ``fields`` = [(name, 'string'|'integer'|'double')], ``rows`` = [(wkt, *attributes)].

    WKT is in EPSG:2154 and is transformed when ``crs`` is another CRS."""
    uri = "%s?crs=%s&%s" % (geometry, crs, "&".join("field=%s:%s" % f for f in fields))
    layer = QgsVectorLayer(uri, name, "memory")
    assert layer.isValid()
    transform = None
    if crs != "EPSG:2154":
        transform = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:2154"),
                                           QgsCoordinateReferenceSystem(crs), QgsProject.instance())
    features = []
    for wkt, *attributes in rows:
        feature = QgsFeature(layer.fields())
        geometry_obj = QgsGeometry.fromWkt(wkt) if wkt else QgsGeometry()
        if transform is not None and not geometry_obj.isNull():
            geometry_obj.transform(transform)
        feature.setGeometry(geometry_obj)
        feature.setAttributes(list(attributes))
        features.append(feature)
    assert layer.dataProvider().addFeatures(features)
    layer.updateExtents()
    return layer


def ocs2d_layer(rows, years=("21",), crs="EPSG:2154"):
    fields = []
    for year in years:
        fields += [("cs%s" % year, "string"), ("us%s" % year, "string")]
    return make_layer(fields, rows, crs)


class Feedback(QgsProcessingFeedback):
    def __init__(self):
        super().__init__()
        self.infos, self.errors, self.debug = [], [], []

    def pushDebugInfo(self, info):  # noqa: N802
        self.debug.append(info)

    def pushInfo(self, info):  # noqa: N802
        self.infos.append(info)

    def reportError(self, error, fatalError=False):  # noqa: N802,N803
        self.errors.append(error)


def run(algorithm, parameters):
    """processing.run with a fresh feedback; returns (results, feedback)."""
    import processing

    feedback = Feedback()
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    results = processing.run(algorithm, parameters, feedback=feedback, context=context)
    return results, feedback


def features_by(layer_or_path, key):
    layer = layer_or_path
    if isinstance(layer_or_path, str):
        layer = QgsVectorLayer(layer_or_path, "out", "ogr")
    assert layer.isValid()
    return {f[key]: f for f in layer.getFeatures()}


def is_null(value):
    """NULL attribute as PyQGIS returns it (QVariant NULL on 3.22, None on some later builds)."""
    return value is None or (hasattr(value, "isNull") and value.isNull())


def to_gpkg(layer, path, layer_name=None):
    """Write a memory layer to a GeoPackage (for the qgis_process tests)."""
    from qgis.core import QgsVectorFileWriter

    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    if layer_name:
        options.layerName = layer_name
    error = QgsVectorFileWriter.writeAsVectorFormatV3(layer, str(path), QgsProject.instance().transformContext(),
                                                      options)
    assert error[0] == QgsVectorFileWriter.NoError, error
    return str(path)


def file_source(path, layer_name, keep):
    """The layer ``layer_name`` of the GeoPackage ``path`` as Processing hands it to an algorithm, its layer and
    context kept in ``keep``: a list local to the test, so that they go with it (an OGR layer kept until the
    interpreter exits makes QGIS's exit crash)."""
    layer = QgsVectorLayer(path + "|layername=" + layer_name, layer_name, "ogr")
    assert layer.isValid()
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    keep.append((layer, context))
    return QgsProcessingFeatureSource(layer, context, False)
