"""The process-wide :class:`Catalog`, shared by the pages and the HTTP API; no Streamlit here.

One catalog per process and mesh location: it holds no per-user data, and its DuckDB engine
hands out a cursor per unit of work, so every Streamlit session and every API request can use
the same object. The pages reach it through :func:`portal.services.get_catalog`, the HTTP
routes (:mod:`portal.api`, which must not import Streamlit) through :func:`shared_catalog`.
"""

from __future__ import annotations

import dataclasses
import logging
import threading

from catalog import Catalog, Settings

logger = logging.getLogger(__name__)

_catalogs: dict[Settings, Catalog] = {}
_lock = threading.Lock()


def catalog_for(settings: Settings) -> Catalog:
    """The process-wide catalog of one mesh location, opened on first use.

    Args:
        settings: where the mesh lives; catalogs are keyed on the manifest root, the data
            folder, the operational store and the upload limit.

    Returns:
        The same :class:`Catalog` for the same location on every call, from any thread.
    """
    settings = dataclasses.replace(settings, state_db=settings.state_path)  # one key per store
    with _lock:
        catalog = _catalogs.get(settings)
        if catalog is None:
            logger.info("opening the catalog: manifests %s, data %s, state %s",
                        settings.mesh_root, settings.data_dir,
                        settings.state_path if settings.state_url is None
                        else "the database of MESH_STATE_URL")
            catalog = _catalogs[settings] = Catalog(settings)
        return catalog


def shared_catalog() -> Catalog:
    """The process-wide catalog for the mesh configured in the environment.

    Keyed on ``MESH_ROOT``, ``MESH_DATA_DIR``, ``MESH_STATE_DB`` and ``MESH_UPLOAD_LIMIT_MB``
    (see :mod:`catalog.config`), so a different mesh location gets its own catalog.
    """
    return catalog_for(Settings.from_env())
