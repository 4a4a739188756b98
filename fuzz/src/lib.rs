//! Fuzz targets for keyrs-core.
