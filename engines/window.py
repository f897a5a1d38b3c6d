"""A feature source read in a window: the features of a layer whose box meets a rectangle (issue #20: the atlas
of a few communes of a large land cover reads their land only, not the whole layer).

``WindowSource`` stands for a QgsFeatureSource wherever the engines read one through ``landcover.features``
(fields, CRS, extent, count, ``getFeatures(request, flags)``): every request gets the window as its filter
rectangle (intersected with the request's own), so that GDAL's R-tree skips the rest of the layer. With ``clip``
the geometries crossing the window's border come cut to it (the heat grid of the window counts the land inside
it, no more).
"""
from qgis.core import QgsFeatureRequest, QgsGeometry, QgsRectangle

from . import spatial


def contains(outer, inner):
    """True when the rectangle ``outer`` holds the whole of ``inner``."""
    return outer.xMinimum() <= inner.xMinimum() and outer.yMinimum() <= inner.yMinimum() and \
        outer.xMaximum() >= inner.xMaximum() and outer.yMaximum() >= inner.yMaximum()


def grown(rectangle, margin):
    """A copy of ``rectangle`` grown by ``margin`` on every side."""
    result = QgsRectangle(rectangle)
    result.grow(margin)
    return result


class WindowSource:
    """The features of ``source`` whose box meets ``rectangle`` (in the source's CRS)."""

    def __init__(self, source, rectangle, clip=False):
        self.source = source
        self.rectangle = QgsRectangle(rectangle)
        self.clip = clip
        self._count = None

    def fields(self):
        return self.source.fields()

    def sourceCrs(self):  # noqa: N802
        return self.source.sourceCrs()

    def sourceName(self):  # noqa: N802
        return self.source.sourceName()

    def wkbType(self):  # noqa: N802
        return self.source.wkbType()

    def sourceExtent(self):  # noqa: N802
        return self.source.sourceExtent().intersect(self.rectangle)

    def uniqueValues(self, index, limit=-1):  # noqa: N802
        values = set()
        request = QgsFeatureRequest().setSubsetOfAttributes([index]).setFilterRect(self.rectangle)
        request.setFlags(request.flags() | QgsFeatureRequest.NoGeometry)
        for feature in self.source.getFeatures(request):
            values.add(feature.attributes()[index])
            if 0 < limit <= len(values):
                break
        return values

    def featureCount(self):  # noqa: N802
        """The features in the window (counted once, without geometries or attributes)."""
        if self._count is None:
            request = QgsFeatureRequest().setFilterRect(self.rectangle).setNoAttributes()
            request.setFlags(request.flags() | QgsFeatureRequest.NoGeometry)
            self._count = sum(1 for _feature in self.source.getFeatures(request))
        return self._count

    def getFeatures(self, request=None, *flags):  # noqa: N802
        request = QgsFeatureRequest(request) if request is not None else QgsFeatureRequest()
        rectangle = self.rectangle
        if not request.filterRect().isNull():
            rectangle = request.filterRect().intersect(rectangle)
            if rectangle.isEmpty():
                return iter(())
        request.setFilterRect(rectangle)
        features = self.source.getFeatures(request, *flags)
        return self._clipped(features) if self.clip else features

    def _clipped(self, features):
        frame = QgsGeometry.fromRect(self.rectangle)
        for feature in features:
            geometry = feature.geometry()
            if geometry is None or geometry.isNull() or contains(self.rectangle, geometry.boundingBox()):
                yield feature
                continue
            part = geometry.intersection(frame)
            part = spatial.polygonal_part(part) if not part.isEmpty() else None
            if part is None:
                continue
            feature.setGeometry(part)
            yield feature
