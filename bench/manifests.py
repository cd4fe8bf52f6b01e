"""Load-and-validate benchmark: 10,000 generated products (20,000 manifests + domain files).

Measures, each in a fresh Python process (so no manifest cache, no compiled schema, no imported
pydantic model survives from an earlier step; the OS page cache is warm unless stated):

1. ``load_mesh`` cold (first call) and warm (second call, nothing changed: every document must
   come from the (path, size, mtime) cache), with the time inside the loader's per-file and
   lineage functions and in the garbage collector attributed in the same process.
2. ``Catalog.mesh()`` cold (no mesh index file: file poll + parse + search-index build + the
   index file written), warm (a second ``Catalog`` in the same process, starting from that
   file) and ``Catalog.reload()`` with nothing changed (one stat-only poll); see
   ``docs/mesh-index.md`` and ``bench/scale.py``.
3. The cold time broken down by stage, over the same files with the same libraries: read,
   decode, YAML parse (``ryaml.loads``), JSON-Schema check (``catalog.manifests.schemas.validate``),
   pydantic models (``DataProductDocument`` / ``OpenDataContractStandard`` / ``DomainDocument``
   ``.model_validate``), and assembly (the warm ``load_mesh``: walking folders, stat, building
   products, lineage). Also ryaml vs PyYAML's ``CSafeLoader`` on the same texts, and what-ifs:
   the per-file pipeline with the garbage collector off or spread over 2 processes, and parsed
   documents read back from a ``marshal`` cache instead of parsing YAML.

Targets (issue): cold < 10 s, warm < 1.5 s on the 2-core bench machine.

Usage::

    python bench/manifests.py [--products 10000] [--root DIR] [--runs 3] [--profile]
"""

from __future__ import annotations

import argparse
import gc
import json
import marshal
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (  # noqa: E402
    DEFAULT_PRODUCTS,
    DEFAULT_SEED,
    Timer,
    default_mesh_root,
    machine_note,
    maxrss_mb,
    run_child,
    save_results,
    table,
    verdict,
)

COLD_TARGET_S = 10.0
WARM_TARGET_S = 1.5
SCRIPT = Path(__file__).resolve()


# -- child processes --------------------------------------------------------------------------


def _manifest_files(root: Path) -> list[tuple[Path, str]]:
    """Every file ``load_mesh`` reads, with its kind, in the loader's order."""
    out: list[tuple[Path, str]] = []
    for domain in sorted(p for p in root.iterdir() if p.is_dir() and p.name[0] not in "._"):
        if (domain / "domain.yaml").exists():
            out.append((domain / "domain.yaml", "domain"))
        for product in sorted(p for p in domain.iterdir()
                              if p.is_dir() and p.name[0] not in "._"):
            if (product / "product.odps.yaml").exists():
                out.append((product / "product.odps.yaml", "odps"))
            out.extend((f, "odcs") for f in sorted(product.glob("*.odcs.yaml")))
    return out


class _Attribution:
    """Wall time inside some library functions, and garbage-collector time, in this process.

    Wraps the loader's per-file and lineage functions (those that exist in this version of the
    library) and listens to ``gc.callbacks``; the overhead is about a microsecond a call.
    """

    def __init__(self, targets: list[tuple[Any, str, str]] | None = None) -> None:
        from catalog import mesh
        from catalog.manifests import loader

        self.seconds: dict[str, float] = {}
        self.gc_seconds = [0.0, 0.0, 0.0]
        self.gc_runs = [0, 0, 0]
        self._gc_start = 0.0
        for owner, name, label in targets or [
            (loader, "load_document", "per-file documents (load_document)"),
            (mesh.Mesh, "index_lineage", "lineage index (Mesh.index_lineage)"),
            (loader, "input_port_warnings", "input-port checks (input_port_warnings)"),
        ]:
            if hasattr(owner, name):
                setattr(owner, name, self._wrap(getattr(owner, name), label))
                self.seconds[label] = 0.0
        gc.callbacks.append(self._on_gc)

    def _wrap(self, func: Any, label: str) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - start
        return timed

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_start = time.perf_counter()
        else:
            self.gc_seconds[info["generation"]] += time.perf_counter() - self._gc_start
            self.gc_runs[info["generation"]] += 1

    def take(self, total: float) -> dict[str, Any]:
        """The figures since the last ``take`` (then reset), with ``other`` = total − parts."""
        out: dict[str, Any] = dict(self.seconds)
        out["other"] = total - sum(self.seconds.values())
        out["gc_s"] = sum(self.gc_seconds)
        out["gc_runs"] = list(self.gc_runs)
        self.seconds = dict.fromkeys(self.seconds, 0.0)
        self.gc_seconds, self.gc_runs = [0.0, 0.0, 0.0], [0, 0, 0]
        return out


def child_load(root: Path) -> dict[str, Any]:
    """Cold and warm ``load_mesh`` in this (fresh) process, with in-process attribution."""
    with Timer() as t_import:
        from catalog.manifests import documents, loader
    attribution = _Attribution()
    with Timer() as t_cold:
        cold = loader.load_mesh(root)
    cold_parts = attribution.take(t_cold.seconds)
    cached = len(documents._cache)
    with Timer() as t_warm:
        warm = loader.load_mesh(root)
    warm_parts = attribution.take(t_warm.seconds)
    reused = sum(warm.products[k].document is p.document for k, p in cold.products.items())
    return {
        "import_s": t_import.seconds, "cold_s": t_cold.seconds, "warm_s": t_warm.seconds,
        "cold_parts": cold_parts, "warm_parts": warm_parts,
        "products": len(cold.products), "domains": len(cold.domains),
        "errors": sum(p.severity == "error" for p in cold.problems),
        "warnings": sum(p.severity == "warning" for p in cold.problems),
        "cached_documents": cached, "reused_documents": reused,
        "input_ports": sum(len(p.input_ports) for p in warm.products.values()),
        "peak_rss_mb": maxrss_mb(),
    }


def child_catalog(root: Path) -> dict[str, Any]:
    """Cold and warm ``Catalog.mesh()`` (the mesh index: file poll, parse, search index, index
    file), attributed. Cold starts without the index file; warm is a second ``Catalog`` in
    the same process, reading the file the first one wrote."""
    with Timer() as t_import:
        from catalog import catalog as catalog_module
        from catalog.config import Settings
        from catalog.mesh_index import index, persist, tree
        from catalog.search import SearchIndex
    attribution = _Attribution([
        (tree.FileTree, "poll", "file poll (FileTree.poll)"),
        (SearchIndex, "__init__", "search index build (SearchIndex)"),
        (persist, "load", "index file read (persist.load)"),
        (persist, "save", "index file write (persist.save)"),
        (index.MeshIndex, "_apply", "parse + assemble + publish (MeshIndex._apply)"),
    ])
    data = Path(__file__).resolve().parent / ".work" / "manifests-data"
    persist.cache_file(data, root).unlink(missing_ok=True)
    settings = Settings(mesh_root=root, data_dir=data)
    catalog = catalog_module.Catalog(settings)
    with Timer() as t_cold:
        mesh = catalog.mesh()
    cold_parts = attribution.take(t_cold.seconds)
    second = catalog_module.Catalog(settings)
    with Timer() as t_warm:
        second.mesh()
    warm_parts = attribution.take(t_warm.seconds)
    with Timer() as t_recheck:
        catalog.reload()
    recheck_parts = attribution.take(t_recheck.seconds)
    return {
        "import_s": t_import.seconds, "cold_s": t_cold.seconds, "warm_s": t_warm.seconds,
        "recheck_s": t_recheck.seconds, "cold_parts": cold_parts, "warm_parts": warm_parts,
        "recheck_parts": recheck_parts,
        "products": len(mesh.products), "peak_rss_mb": maxrss_mb(),
    }


def _evict(paths: list[Path]) -> bool:
    """Drop these files' pages from the OS page cache (only ours; no root needed)."""
    if not hasattr(os, "posix_fadvise"):
        return False
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
    return True


def _parse_chunk(items: list[tuple[bytes, str, str]]) -> list[Any]:
    from catalog.manifests.documents import parse_document

    return [parse_document(raw, name, kind) for raw, name, kind in items]


def _check_chunk(items: list[tuple[bytes, str, str]]) -> list[Any]:
    """Decode, parse and schema-check; return the raw dicts (cheap to pickle)."""
    import ryaml

    from catalog.manifests import schemas
    from catalog.manifests.yaml_source import decode

    out = []
    for raw, _name, kind in items:
        data = ryaml.loads(decode(raw))
        if kind != "domain" and schemas.validate(kind, data):
            data = None
        out.append((kind, data))
    return out


def child_breakdown(root: Path) -> dict[str, Any]:
    """Per-stage cost of a cold load over the same files, stage by stage."""
    import ryaml
    import yaml
    from open_data_contract_standard.model import OpenDataContractStandard

    from catalog.manifests import schemas
    from catalog.manifests.documents import parse_document
    from catalog.manifests.yaml_source import decode
    from catalog.models.domain import DomainDocument
    from catalog.models.odps import DataProductDocument

    from catalog.manifests import documents

    models = {"domain": DomainDocument, "odps": DataProductDocument,
              "odcs": OpenDataContractStandard}
    out: dict[str, Any] = {}
    # Newer loaders defer the ODCS pydantic model to first use (documents.LazyContract).
    out["odcs_model_deferred"] = hasattr(documents, "LazyContract")
    with Timer() as t:
        files = _manifest_files(root)
    out["walk_s"] = t.seconds
    paths = [p for p, _ in files]
    kinds = [k for _, k in files]
    evicted = _evict(paths)
    with Timer() as t:
        raws = [p.read_bytes() for p in paths]
    out["read_disk_s"] = t.seconds if evicted else None
    with Timer() as t:
        raws = [p.read_bytes() for p in paths]
    out["read_s"] = t.seconds
    out["files"] = len(raws)
    out["bytes"] = sum(map(len, raws))
    out["by_kind"] = {k: kinds.count(k) for k in models}
    gc.collect()
    gc.disable()  # load_mesh pauses the collector while loading; the stages do the same
    with Timer() as t:
        texts = [decode(r) for r in raws]
    out["decode_s"] = t.seconds
    with Timer() as t:
        data = [ryaml.loads(x) for x in texts]
    out["parse_ryaml_s"] = t.seconds
    with Timer() as t:
        data_py = [yaml.load(x, Loader=yaml.CSafeLoader) for x in texts]  # noqa: S506
    out["parse_pyyaml_c_s"] = t.seconds
    out["parse_same_result"] = sum(a == b for a, b in zip(data, data_py))
    del data_py
    gc.collect()
    blob = marshal.dumps(data)
    out["marshal_mb"] = len(blob) / 1e6
    with Timer() as t:
        marshal.loads(blob)
    out["marshal_load_s"] = t.seconds
    del blob
    with Timer() as t:
        schemas._validator("odps")
        schemas._validator("odcs")
    out["schema_compile_s"] = t.seconds
    for kind in ("odps", "odcs"):
        docs = [d for d, k in zip(data, kinds) if k == kind]
        with Timer() as t:
            bad = sum(bool(schemas.validate(kind, d)) for d in docs)
        out[f"schema_{kind}_s"] = t.seconds
        out[f"schema_{kind}_invalid"] = bad
    built: list[Any] = []
    for kind, model in models.items():
        docs = [d for d, k in zip(data, kinds) if k == kind]
        with Timer() as t:
            built.extend(model.model_validate(d) for d in docs)
        out[f"model_{kind}_s"] = t.seconds
    del built, data
    gc.enable()
    gc.collect()

    # What-ifs over the whole per-file pipeline (decode → parse → schema → model).
    items = [(r, str(p), k) for r, p, k in zip(raws, paths, kinds)]
    with Timer() as t:
        kept = [parse_document(*item) for item in items]
    out["pipeline_s"] = t.seconds
    del kept
    gc.collect()
    gc.disable()
    with Timer() as t:
        kept = [parse_document(*item) for item in items]
    gc.enable()
    out["pipeline_nogc_s"] = t.seconds
    del kept
    gc.collect()
    from concurrent.futures import ProcessPoolExecutor

    workers = os.cpu_count() or 2
    chunks = [items[i::workers * 8] for i in range(workers * 8)]
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(len, [[0]] * workers))  # start the workers outside the timing
        with Timer() as t:
            kept = [doc for part in pool.map(_parse_chunk, chunks) for doc in part]
        out["pipeline_parallel_s"] = t.seconds
        del kept
        gc.collect()
        with Timer() as t:
            kept = [models[kind].model_validate(data)
                    for part in pool.map(_check_chunk, chunks) for kind, data in part
                    if data is not None]
        out["pipeline_parallel_raw_s"] = t.seconds
    out["pipeline_workers"] = workers
    return out


def child_profile(root: Path, top: int) -> dict[str, Any]:
    """cProfile of a cold ``load_mesh``; the ``top`` functions by own time."""
    import cProfile
    import pstats

    from catalog.manifests.loader import load_mesh

    profiler = cProfile.Profile()
    with Timer() as t:
        profiler.enable()
        load_mesh(root)
        profiler.disable()
    stats = pstats.Stats(profiler)
    rows = []
    for (file, line, func), (_cc, calls, own, cum, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        where = f"{Path(file).parent.name}/{Path(file).name}:{line}" if line else file
        rows.append((own, cum, calls, f"{where}({func})"))
    rows.sort(reverse=True)
    return {"profiled_s": t.seconds, "top": rows[:top]}


# -- the parent -------------------------------------------------------------------------------


def _rate(files: int, seconds: float) -> float:
    return files / seconds if seconds else float("nan")


def report(load: dict[str, Any], cat: dict[str, Any], br: dict[str, Any]) -> None:
    files = br["files"]
    print(f"\nmesh: {load['products']:,} products in {load['domains']} domains, {files:,} files, "
          f"{br['bytes'] / 1e6:.1f} MB ({br['by_kind']}); "
          f"{load['errors']} errors, {load['warnings']} warnings, {load['input_ports']:,} input ports")
    runs = len(load["cold_runs_s"])
    print("\n" + table([
        ("load_mesh cold (fresh process)", load["cold_s"], _spread(load["cold_runs_s"]),
         _rate(files, load["cold_s"]), COLD_TARGET_S, verdict(load["cold_s"], COLD_TARGET_S)),
        ("load_mesh warm (same process)", load["warm_s"], _spread(load["warm_runs_s"]),
         _rate(files, load["warm_s"]), WARM_TARGET_S, verdict(load["warm_s"], WARM_TARGET_S)),
        ("Catalog.mesh() cold", cat["cold_s"], _spread(cat["cold_runs_s"]),
         _rate(files, cat["cold_s"]), COLD_TARGET_S, verdict(cat["cold_s"], COLD_TARGET_S)),
        ("Catalog.mesh() warm (new Catalog)", cat["warm_s"], _spread(cat["warm_runs_s"]),
         _rate(files, cat["warm_s"]), WARM_TARGET_S, verdict(cat["warm_s"], WARM_TARGET_S)),
        ("Catalog recheck (nothing changed)", cat["recheck_s"], "", float("nan"), float("nan"),
         ""),
    ], ("measure", f"median of {runs}", "range", "files/s", "target s", "")))
    print("(medians of cold and of warm times; the breakdowns below are from the run with the "
          f"median cold time, whose warm times were {load['warm_of_median_run_s']:.2f} s and "
          f"{cat['warm_of_median_run_s']:.2f} s)")
    print(f"\nwarm reuse: {load['reused_documents']:,}/{load['products']:,} product documents are "
          f"the cached objects; cache holds {load['cached_documents']:,} documents. "
          f"Peak RSS {load['peak_rss_mb']:,.0f} MB; imports {load['import_s']:.2f} s.")
    print("\nCatalog.mesh() by part (same process):")
    parts = (cat["cold_parts"], cat["warm_parts"], cat["recheck_parts"])
    crows = [(label, *(p[label] for p in parts))
             for label in cat["cold_parts"] if label not in ("gc_s", "gc_runs")]
    crows.append(("  garbage collector, within the parts above", *(p["gc_s"] for p in parts)))
    print(table(crows, ("part", "cold s", "warm s", "recheck s")))
    print("collections (gen0/1/2): " + ", ".join(
        f"{name} " + "/".join(map(str, p["gc_runs"]))
        for name, p in zip(("cold", "warm", "recheck"), parts)))

    print("\nload_mesh by part (same process as its timings; other = walk, stat, assembly):")
    rows = []
    for label in load["cold_parts"]:
        if label in ("gc_s", "gc_runs"):
            continue
        rows.append((label, load["cold_parts"][label], 100 * load["cold_parts"][label] / load["cold_s"],
                     load["warm_parts"][label]))
    cold_gc, warm_gc = load["cold_parts"], load["warm_parts"]
    rows.append(("  garbage collector, within the parts above", cold_gc["gc_s"],
                 100 * cold_gc["gc_s"] / load["cold_s"], warm_gc["gc_s"]))
    print(table(rows, ("part", "cold s", "% of cold", "warm s")))
    print("collections (gen0/1/2): cold " + "/".join(map(str, cold_gc["gc_runs"]))
          + ", warm " + "/".join(map(str, warm_gc["gc_runs"])))

    stages = [
        ("walk folders", br["walk_s"]),
        ("read bytes (page cache warm)", br["read_s"]),
        ("decode UTF-8", br["decode_s"]),
        ("YAML parse (ryaml.loads)", br["parse_ryaml_s"]),
        ("JSON-Schema compile (once)", br["schema_compile_s"]),
        (f"JSON-Schema odps ({br['by_kind']['odps']:,})", br["schema_odps_s"]),
        (f"JSON-Schema odcs ({br['by_kind']['odcs']:,})", br["schema_odcs_s"]),
        (f"pydantic DomainDocument ({br['by_kind']['domain']})", br["model_domain_s"]),
        (f"pydantic DataProductDocument ({br['by_kind']['odps']:,})", br["model_odps_s"]),
    ]
    per_file = sum(s for _, s in stages)
    odcs_model = (f"pydantic OpenDataContractStandard ({br['by_kind']['odcs']:,})", br["model_odcs_s"])
    if br.get("odcs_model_deferred"):
        odcs_model = (odcs_model[0].replace("pydantic", "[deferred by the loader] pydantic"),
                      odcs_model[1])
    else:
        per_file += odcs_model[1]
    stages.append(odcs_model)
    stages.append(("sum of per-file stages", per_file))
    stages.append(("assembly (= the warm load_mesh above)", load["warm_s"]))
    stages.append(("cold load_mesh − per-file stages − assembly", load["cold_s"] - per_file
                   - load["warm_s"]))
    print("\ncold time by stage (stages run one at a time over all files, in a separate process;"
          " garbage collector paused, as load_mesh does):")
    print(table([(n, s, 100 * s / load["cold_s"]) for n, s in stages],
                ("stage", "seconds", "% of cold")))
    print(f"\nYAML parse: ryaml {br['parse_ryaml_s']:.2f} s vs PyYAML CSafeLoader "
          f"{br['parse_pyyaml_c_s']:.2f} s → ryaml is {br['parse_pyyaml_c_s'] / br['parse_ryaml_s']:.1f}× "
          f"faster; identical results on {br['parse_same_result']:,}/{files:,} files.")
    if br["read_disk_s"] is not None:
        print(f"read with the files evicted from the page cache: {br['read_disk_s']:.2f} s "
              f"(page cache warm: {br['read_s']:.2f} s).")
    print(f"what-if, per-file pipeline (decode→parse→schema→model) {br['pipeline_s']:.2f} s: "
          f"GC off {br['pipeline_nogc_s']:.2f} s; over {br['pipeline_workers']} processes "
          f"{br['pipeline_parallel_s']:.2f} s (models pickled back), or "
          f"{br['pipeline_parallel_raw_s']:.2f} s (workers parse + schema-check, send raw dicts; "
          "models built in the parent).")
    print(f"what-if, parsed documents from a marshal cache file ({br['marshal_mb']:.0f} MB): "
          f"{br['marshal_load_s']:.2f} s instead of {br['parse_ryaml_s']:.2f} s of YAML parsing.")


def _median_run(child: str, root: Path, runs: int) -> dict[str, Any]:
    """Run a child ``runs`` times (fresh processes); the run with the median cold time, plus
    every run's cold and warm times."""
    done = []
    for n in range(runs):
        result = run_child(SCRIPT, ["--child", child, "--root", str(root)])
        print(f"  {child} run {n + 1}: cold {result['cold_s']:.2f} s, warm "
              f"{result['warm_s']:.2f} s", flush=True)
        done.append(result)
    done.sort(key=lambda r: r["cold_s"])
    median = dict(done[len(done) // 2])
    median["cold_runs_s"] = [r["cold_s"] for r in done]
    median["warm_runs_s"] = sorted(r["warm_s"] for r in done)
    median["warm_of_median_run_s"] = median["warm_s"]
    median["warm_s"] = median["warm_runs_s"][len(done) // 2]  # the median warm time
    return median


def _spread(values: list[float]) -> str:
    return f"{min(values):.2f}–{max(values):.2f}" if len(values) > 1 else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=DEFAULT_PRODUCTS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--root", type=Path, default=None,
                        help="a generated mesh (default: generate bench/.work/mesh-N-sSEED)")
    parser.add_argument("--runs", type=int, default=3,
                        help="fresh-process runs of the load and Catalog children (median shown)")
    parser.add_argument("--profile", action="store_true",
                        help="also cProfile a cold load_mesh (slow) and list the top functions")
    parser.add_argument("--child", choices=("load", "catalog", "breakdown", "profile"))
    args = parser.parse_args(argv)

    root = (args.root or default_mesh_root(args.products, args.seed)).resolve()
    if args.child:
        gc.collect()
        result = {
            "load": lambda: child_load(root),
            "catalog": lambda: child_catalog(root),
            "breakdown": lambda: child_breakdown(root),
            "profile": lambda: child_profile(root, 15),
        }[args.child]()
        print(json.dumps(result))
        return 0

    if args.root is None:
        from bench.generate_mesh import ensure_mesh

        ensure_mesh(root, args.products, seed=args.seed)
    print(f"manifests benchmark on {root} ({machine_note()})", flush=True)
    started = time.perf_counter()
    load = _median_run("load", root, args.runs)
    cat = _median_run("catalog", root, args.runs)
    br = run_child(SCRIPT, ["--child", "breakdown", "--root", str(root)])
    report(load, cat, br)
    results: dict[str, Any] = {"root": str(root), "load": load, "catalog": cat, "breakdown": br}
    if args.profile:
        prof = run_child(SCRIPT, ["--child", "profile", "--root", str(root)])
        print(f"\ncProfile of a cold load_mesh ({prof['profiled_s']:.1f} s under the profiler), "
              "top functions by own time:")
        print(table([(own, cum, calls, name) for own, cum, calls, name in prof["top"]],
                    ("own s", "cum s", "calls", "function")))
        results["profile"] = prof
    print(f"\n(benchmark took {time.perf_counter() - started:.0f} s; {machine_note()})")
    save_results("manifests", results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
