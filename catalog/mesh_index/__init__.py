"""A persisted index of the mesh's manifests, kept current in the background.

* :mod:`catalog.mesh_index.index`: :class:`MeshIndex`, parsed manifests and the published
  snapshot (mesh + search index), updated file by file;
* :mod:`catalog.mesh_index.tree`: finding changed files with ``stat`` calls only;
* :mod:`catalog.mesh_index.persist`: the index on disk (``<data>/.mesh-index/``);
* :mod:`catalog.mesh_index.watcher`: the daemon thread that applies changes as they come
  (file events through ``watchdog``, or polling);
* :mod:`catalog.mesh_index.filesystems`: which file systems raise events for every change.

``docs/mesh-index.md`` describes where the index lives, what invalidates it and how to clear it.
"""
