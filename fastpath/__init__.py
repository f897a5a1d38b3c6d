"""GeoPackage/SQLite fast paths (GDAL and SQLite, no Processing): used by the engines and the wrappers."""
