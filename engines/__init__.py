"""QGIS/GDAL engines: geometry and raster work on plain values and small dataclasses.

Engines never import ``algorithms``; they may use ``fastpath`` and ``core``."""
