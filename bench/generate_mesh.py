"""Generate a large, valid synthetic mesh by cloning the demo manifests as templates.

Every valid product of the demo mesh (``domains/``) is a template: its ODPS and ODCS documents
are deep-copied and given a new id, name, title, description, tags, team, support channels,
property names, quality-rule ids and input ports, with words drawn from a fixed vocabulary by a
seeded random generator, so the same arguments always write the same files (bytes and names).
Structure (property types, quality rules, SLA properties, servers) stays the template's, so the
files are as large and as nested as real ones and stay valid:

- product ids are ``<domain>.<product folder>``; the single output port's ``contractId`` is the
  id of the product's one ``<port>.odcs.yaml``;
- products cloned from a template with input ports (and some aggregates) consume 1-3 products
  generated before them, by their real contract ids (lineage stays resolvable);
- one ``domain.yaml`` per domain.

Usage::

    python bench/generate_mesh.py                 # 10,000 products, 40 domains → bench/.work/
    python bench/generate_mesh.py --products 2000 --out /tmp/mesh --check

A ``.generated.json`` stamp records the arguments and a hash of the templates; an up-to-date
folder is not rewritten (``--force`` rewrites it), so file mtimes stay stable between runs.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import itertools
import json
import random
import re
import shutil
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ryaml  # noqa: E402
import yaml  # noqa: E402

from bench._common import (  # noqa: E402
    DEFAULT_PRODUCTS,
    DEFAULT_SEED,
    REPO_ROOT,
    default_mesh_root,
)

GENERATOR_VERSION = 4
"""Bump when the output changes, so stamped folders are regenerated."""

STAMP = ".generated.json"

# -- vocabulary (fixed; the seed only chooses among these words) ------------------------------
DOMAINS = (
    "sales marketing finance payments billing procurement logistics warehousing inventory "
    "supply_chain customer_service crm loyalty ecommerce mobile_app web_analytics pricing fraud "
    "risk compliance legal people recruiting payroll facilities it_operations security network "
    "manufacturing quality maintenance energy fleet operations weather reference research "
    "product partnerships treasury"
).split()

ENTITIES = (
    "customer order invoice payment shipment parcel flight booking ticket passenger airport route "
    "carrier aircraft crew gate baggage seat fare refund voucher campaign lead opportunity account "
    "contract supplier vendor sku item price discount promotion basket session click pageview "
    "device user employee candidate position salary expense budget forecast ledger journal asset "
    "liability transaction transfer loan card merchant chargeback claim policy premium incident "
    "alert server deployment release sensor meter reading machine batch lot defect inspection "
    "part bin pallet truck driver trip delivery store region country city observation station "
    "emission tariff subscription plan renewal cancellation complaint survey review rating "
    "return exchange warranty contact call chat email notification segment audience impression "
    "conversion channel partner reseller commission quote cart checkout wishlist coupon gift "
    "shift roster timesheet absence training course certificate vacancy interview offer badge "
    "visit door room building lease utility invoice_line purchase requisition receipt tax "
    "currency rate hedge bond portfolio position_snapshot exposure limit breach control audit "
    "finding regulation consent cookie identity login password token vulnerability patch host "
    "cluster container pipeline job task dataset table report dashboard metric model feature "
    "experiment variant prediction label anomaly outage latency throughput capacity turbine "
    "panel battery grid outage_event weather_event runway slot taxi delay diversion"
).split()

QUALIFIERS = (
    "daily weekly monthly hourly quarterly yearly realtime historical current latest raw clean "
    "curated enriched aggregated consolidated harmonised regional global domestic international "
    "active open closed pending approved rejected forecasted planned actual estimated"
).split()

MEASURES = (
    "count revenue volume amount cost margin delay duration rate ratio score share total average "
    "status events snapshot summary history profile metrics kpis performance churn retention "
    "conversion utilisation backlog balance exposure coverage frequency funnel lifetime_value "
    "occupancy punctuality reliability sentiment throughput yield variance"
).split()

ATTRIBUTES = (
    "id code name type status date time timestamp amount total count value rate flag category "
    "region country currency quantity price cost score label source reason channel number key "
    "description start_date end_date created_at updated_at effective_date version level tier "
    "segment group owner email phone city postcode latitude longitude percent minutes hours "
    "days weight distance capacity priority severity outcome method provider"
).split()

DIMENSIONS = (
    "region country day week month hour store channel product carrier route airport customer "
    "segment team supplier warehouse plant line device campaign cohort market city"
).split()

VERBS = (
    "compare track find explain forecast monitor rank audit reconcile plan size detect measure "
    "benchmark report segment prioritise price schedule investigate"
).split()

TAGS_EXTRA = (
    "kpi finance gdpr pii reference-data lookup master-data golden-record realtime batch "
    "streaming certified experimental deprecated sensitive public internal regulatory sox "
    "ml-feature dashboard self-service operational analytical slowly-changing event-log "
    "snapshot daily weekly monthly sla nyc europe apac americas"
).split()

FIRST_NAMES = (
    "María Daniel Chen Kwame Priya Aiko Liam Sofía Ana Omar Fatima Lukas Emma Noah Olivia Mateo "
    "Yuki Ravi Ingrid Tomás Zanele Hiroshi Amara Pierre Chloé Jonas Elif Mehmet Nadia Ivan "
    "Olga Pablo Lucía Jakub Zofia Henrik Astrid Kofi Ama Arjun Meera Wei Li Sipho Thandi Diego "
    "Camila Sean Aoife Giulia Marco Sara Ahmed Leila Nikos Eleni Raj Ananya Tariq Hana"
).split()

LAST_NAMES = (
    "López Okafor Wei Mensah Raman Tanaka O'Connor Marín Silva Haddad Khan Müller Johansson "
    "Smith Rossi Novak Kowalski Nielsen Dubois Moreau Sato Gupta Patel Nguyen Kim Park Ivanova "
    "Petrov García Fernández Santos Costa Schmidt Weber Jensen Berg Ali Hassan Adeyemi Nkosi "
    "Dlamini Murphy Kelly Romano Bianchi Papadopoulos Yilmaz Demir Suzuki Chowdhury Rahman "
    "Mendes Ortiz Castro Lindqvist Horvat Kovač Achebe Boateng"
).split()

ROLES = ("data steward", "data engineer", "analytics engineer", "data analyst", "product manager")
STATUSES = (("active", 70), ("draft", 12), ("proposed", 6), ("deprecated", 9), ("retired", 3))
CLASSIFICATIONS = (("public", 50), ("internal", 30), ("confidential", 15), ("restricted", 5))
TYPES = ("sourceAligned", "aggregate", "consumerAligned")
TEAM_SUFFIXES = ("Data Team", "Analytics Team", "Platform Team", "Insights Team", "Engineering")
SYLLABLES = (
    "ka lo mer tis van dor ril sen qua bel tor nix ash ven cor pal mi zu ro fen gar hal "
    "jin kel lum mo nar os pex rin sol tam ul vex wyn yor zan bri cla dru fle gro ple sta tri"
).split()

# -- templates --------------------------------------------------------------------------------


@dataclass
class Template:
    """A valid demo product: raw ODPS and ODCS documents (as parsed, YAML 1.2 semantics)."""

    product_id: str
    odps: dict[str, Any]
    odcs: dict[str, Any]


def load_templates(source: Path) -> list[Template]:
    """Every demo product that loads without errors, with its first output port's contract."""
    from catalog.manifests.loader import load_mesh

    mesh = load_mesh(source)
    failed = {p.file for p in mesh.problems if p.severity == "error"}
    out = []
    for product in sorted(mesh.products.values(), key=lambda p: p.id):
        port = product.output_ports[0] if product.output_ports else None
        if port is None or port.contract_file is None or port.contract is None:
            continue
        files = (product.odps_file, port.contract_file)
        if any(str(f.relative_to(source.parent)) in failed for f in files):
            continue
        out.append(Template(product.id, ryaml.loads(files[0].read_text("utf-8")),
                            ryaml.loads(files[1].read_text("utf-8"))))
    if not out:
        raise SystemExit(f"no valid product under {source} to use as a template")
    return out


def templates_hash(templates: list[Template]) -> str:
    """A short hash of the templates' content (regenerate when the demo mesh changes)."""
    blob = json.dumps([[t.product_id, t.odps, t.odcs] for t in templates], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


# -- words ------------------------------------------------------------------------------------


def _ascii(text: str) -> str:
    norm = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z]", "", "".join(c for c in norm if not unicodedata.combining(c)).lower())


def codenames(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct made-up system/project names (the vocabulary's long tail)."""
    taken = set(ENTITIES) | set(QUALIFIERS) | set(MEASURES) | set(ATTRIBUTES)
    out: list[str] = []
    while len(out) < count:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3))))
        if word not in taken:
            taken.add(word)
            out.append(word)
    return out


class Words:
    """Seeded word choices with a skew (a few words common, most rare), like real text."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.codes = codenames(rng, 3000)
        self._code_cum = list(itertools.accumulate(1 / (i + 1) for i in range(len(self.codes))))

    def pick(self, words: list[str] | tuple[str, ...]) -> str:
        """A word of ``words``, skewed towards the first ones (index = n · U^1.7)."""
        n = len(words)
        return words[min(n - 1, int(n * self.rng.random() ** 1.7))]

    def code(self) -> str:
        """A made-up system name, Zipf-distributed."""
        return self.rng.choices(self.codes, cum_weights=self._code_cum)[0]

    def weighted(self, pairs: tuple[tuple[str, int], ...]) -> str:
        return self.rng.choices([p for p, _ in pairs], [w for _, w in pairs])[0]

    def sentence(self, domain_title: str, entity: str, measure: str) -> str:
        """One sentence of product description."""
        r, p = self.rng, self.pick
        e2, dim, verb = p(ENTITIES), p(DIMENSIONS), p(VERBS)
        forms = (
            f"{p(QUALIFIERS).capitalize()} {entity.replace('_', ' ')} {measure.replace('_', ' ')}"
            f" for the {domain_title.lower()} domain, one row per {e2.replace('_', ' ')} per {dim}.",
            f"Built from the {self.code()} system and refreshed {p(QUALIFIERS)}; use it to {verb}"
            f" {entity.replace('_', ' ')} {measure.replace('_', ' ')} by {dim}.",
            f"Joins {e2.replace('_', ' ')} records from {self.code()} with {p(ENTITIES)} data "
            f"from {self.code()} so analysts can {verb} the {p(MEASURES).replace('_', ' ')}.",
            f"Figures are in {p(('minutes', 'euros', 'US dollars', 'units', 'percent', 'hours'))}"
            f"; {p(ATTRIBUTES).replace('_', ' ')} is missing for about {r.randint(1, 9)}% of rows.",
            f"Covers {r.randint(2012, 2020)} to {r.randint(2021, 2026)} only; {p(ENTITIES)} "
            f"records before the {self.code()} migration are not included.",
            f"Owned by the {domain_title.lower()} team; ask in the channel before using it to "
            f"{verb} {p(ENTITIES).replace('_', ' ')} {p(MEASURES).replace('_', ' ')}.",
        )
        return r.choice(forms)

    def text(self, domain_title: str, entity: str, measure: str, sentences: int) -> str:
        return " ".join(self.sentence(domain_title, entity, measure) for _ in range(sentences))


# -- people and teams -------------------------------------------------------------------------


def make_person(rng: random.Random, role: str, company: str) -> dict[str, str]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return {"username": f"{_ascii(first)}.{_ascii(last)}@{company}.example",
            "name": f"{first} {last}", "role": role}


def make_teams(rng: random.Random, domain: str, title: str) -> list[dict[str, Any]]:
    teams = []
    for n in range(rng.choice((1, 1, 2, 2, 3))):
        suffix = TEAM_SUFFIXES[(n + len(domain)) % len(TEAM_SUFFIXES)]
        members = [make_person(rng, "owner", "skyport")]
        members += [make_person(rng, rng.choice(ROLES), "skyport")
                    for _ in range(rng.randint(2, 5))]
        teams.append({"name": f"{title} {suffix}", "members": members})
    return teams


def support_of(domain: str, team_index: int) -> list[dict[str, str]]:
    slug = domain.replace("_", "-") + ("-data" if team_index == 0 else f"-data-{team_index + 1}")
    return [
        {"channel": f"#{slug}", "url": f"https://chat.skyport.example/channels/{slug}",
         "tool": "slack", "scope": "interactive"},
        {"channel": f"{slug} mailbox", "url": f"mailto:{slug}@skyport.example", "tool": "email",
         "scope": "issues"},
    ]


# -- products ---------------------------------------------------------------------------------


@dataclass
class Produced:
    """What later products need to know to consume this one."""

    product_id: str
    contract_id: str
    version: str


ODPS_ORDER = ("apiVersion", "kind", "id", "name", "version", "status", "domain", "type", "tags",
              "description", "team", "support", "inputPorts", "outputPorts", "customProperties")


def _ordered(doc: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    out = {k: doc[k] for k in order if k in doc}
    out.update((k, v) for k, v in doc.items() if k not in out)
    return out


def _unique_folder(words: Words, taken: set[str]) -> tuple[str, str, str]:
    """(folder name, main entity, measure) unique within the domain."""
    while True:
        entity, measure = words.pick(ENTITIES), words.pick(MEASURES)
        parts = [entity, measure]
        if words.rng.random() < 0.6:
            parts.insert(0, words.pick(QUALIFIERS))
        if words.rng.random() < 0.25:
            parts.append("by_" + words.pick(DIMENSIONS))
        folder = "_".join(parts)
        if folder in taken:
            folder = f"{folder}_{words.code()}"
        if folder not in taken:
            taken.add(folder)
            return folder, entity, measure


def _title(folder: str, words: Words) -> str:
    title = folder.replace("_", " ").capitalize()
    if words.rng.random() < 0.3:
        title += f" ({words.code().capitalize()})"
    return title


def _version(rng: random.Random) -> str:
    return f"{rng.choice((0, 1, 1, 1, 2, 3))}.{rng.randint(0, 12)}.{rng.randint(0, 9)}"


def _tags(words: Words, entity: str, measure: str) -> list[str]:
    tags = [entity.replace("_", "-"), measure.replace("_", "-")]
    for _ in range(words.rng.randint(0, 5)):
        tag = words.pick(TAGS_EXTRA) if words.rng.random() < 0.6 else words.pick(ENTITIES)
        tag = tag.replace("_", "-")
        if tag not in tags:
            tags.append(tag)
    return tags


def _property_name(words: Words, taken: set[str]) -> str:
    while True:
        r = words.rng.random()
        if r < 0.55:
            name = f"{words.pick(ENTITIES)}_{words.pick(ATTRIBUTES)}"
        elif r < 0.8:
            name = f"{words.pick(QUALIFIERS)}_{words.pick(MEASURES)}"
        else:
            name = words.pick(ATTRIBUTES)
        if name in taken:
            name = f"{name}_{len(taken)}"
        if name not in taken:
            taken.add(name)
            return name


def _rename_sql(text: str, mapping: dict[str, str]) -> str:
    if not mapping:
        return text
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(mapping, key=len,
                                                                     reverse=True))) + r")\b")
    return pattern.sub(lambda m: mapping[m.group(1)], text)


def _rewrite_quality(node: Any, mapping: dict[str, str], prefix: str, counter: list[int]) -> None:
    """Give every quality rule a new unique id and rename columns in its SQL."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "quality" and isinstance(value, list):
                for rule in value:
                    if isinstance(rule, dict):
                        counter[0] += 1
                        if "id" in rule:
                            rule["id"] = f"{prefix}-q{counter[0]}"
                        if isinstance(rule.get("query"), str):
                            rule["query"] = _rename_sql(rule["query"], mapping)
            _rewrite_quality(value, mapping, prefix, counter)
    elif isinstance(node, list):
        for item in node:
            _rewrite_quality(item, mapping, prefix, counter)


def _schema(words: Words, odcs: dict[str, Any], port: str) -> dict[str, str]:
    """Rename the contract's schema objects and properties; return old → new column names."""
    rng = words.rng
    mapping: dict[str, str] = {}
    for n, obj in enumerate(odcs.get("schema") or []):
        old_obj = obj.get("name", "")
        new_obj = port if n == 0 else f"{port}_{n + 1}"
        mapping[old_obj] = new_obj
        obj["name"] = new_obj
        obj["businessName"] = new_obj.replace("_", " ").capitalize()
        if "physicalName" in obj:
            obj["physicalName"] = new_obj
        props = obj.get("properties") or []
        # Vary width: drop a few optional columns or clone some extra ones.
        extra = [copy.deepcopy(rng.choice(props)) for _ in range(rng.randint(0, 8))] if props else []
        for prop in extra:
            prop.pop("quality", None)
            prop.pop("primaryKey", None)
            prop.pop("primaryKeyPosition", None)
        taken: set[str] = set()
        for index, prop in enumerate(props + extra):
            new = _property_name(words, taken)
            if index < len(props):
                mapping.setdefault(prop.get("name", ""), new)
            prop["name"] = new
            prop["businessName"] = new.replace("_", " ").capitalize()
            prop["classification"] = words.weighted(CLASSIFICATIONS)
        obj["properties"] = props + extra
    return mapping


def make_product(
    words: Words, template: Template, domain: str, domain_title: str, folder_info: tuple[str, str, str],
    team: dict[str, Any], team_index: int, upstream: list[Produced],
) -> tuple[dict[str, Any], dict[str, Any], Produced]:
    """The ODPS and ODCS documents of one generated product."""
    rng = words.rng
    folder, entity, measure = folder_info
    pid = f"{domain}.{folder}"
    contract_id = f"{pid}.{folder}"
    version, status = _version(rng), words.weighted(STATUSES)
    title = _title(folder, words)
    tags = _tags(words, entity, measure)
    support = support_of(domain, team_index)
    owner = next(m for m in team["members"] if m["role"] == "owner")

    odps = copy.deepcopy(template.odps)
    ptype = odps.get("type") or rng.choice(TYPES)
    odps.update(
        id=pid, name=folder, version=version, status=status, domain=domain, type=ptype, tags=tags,
        description={
            "purpose": words.text(domain_title, entity, measure, rng.randint(1, 3)),
            "usage": words.text(domain_title, entity, measure, rng.randint(1, 2)),
            "limitations": words.text(domain_title, entity, measure, rng.randint(1, 2)),
        },
        team=copy.deepcopy(team), support=support,
        outputPorts=[{"name": folder, "type": "tables", "version": version,
                      "description": f"Table of {title.lower()}, one row per "
                                     f"{words.pick(ENTITIES).replace('_', ' ')}.",
                      "contractId": contract_id}],
        customProperties=[{"property": "title", "value": title},
                          {"property": "sourceSystem", "value": f"{words.code().capitalize()} "
                                                                 f"({words.pick(ENTITIES)} system)"}],
    )
    odps.pop("inputPorts", None)
    wants_inputs = bool(template.odps.get("inputPorts")) or (ptype != "sourceAligned"
                                                             and rng.random() < 0.5)
    if wants_inputs and upstream:
        chosen: dict[str, Produced] = {}
        for _ in range(rng.randint(1, 3)):
            src = upstream[min(len(upstream) - 1, int(len(upstream) * rng.random() ** 0.5))]
            chosen.setdefault(src.product_id, src)
        odps["inputPorts"] = [{"name": s.product_id, "version": s.version,
                               "contractId": s.contract_id} for s in chosen.values()]
    if status == "deprecated":
        odps["customProperties"].append({"property": "retirementDate",
                                         "value": f"{rng.randint(2025, 2027)}-12-31"})
    odps = _ordered(odps, ODPS_ORDER)

    odcs = copy.deepcopy(template.odcs)
    odcs.update(
        id=contract_id, name=folder, version=version, status=status, domain=domain,
        dataProduct=folder, tags=tags[: rng.randint(1, 3)],
        description={
            "purpose": words.sentence(domain_title, entity, measure),
            "usage": words.sentence(domain_title, entity, measure),
            "limitations": words.sentence(domain_title, entity, measure),
        },
        support=support[: rng.randint(1, 2)],
        customProperties=[{"property": "owner", "value": owner["username"]}],
    )
    for server in odcs.get("servers") or []:
        if "schema" in server:
            server["schema"] = domain
    mapping = _schema(words, odcs, folder)
    _rewrite_quality(odcs, mapping, folder.replace("_", "-"), [0])
    for sla in odcs.get("slaProperties") or []:
        if isinstance(sla.get("element"), str):
            sla["element"] = ".".join(mapping.get(p, p) for p in sla["element"].split("."))
    return odps, odcs, Produced(pid, contract_id, version)


# -- writing ----------------------------------------------------------------------------------


class _Dumper(yaml.CSafeDumper):
    """Block style; short lists and mappings of scalars inline; long text folded (``>-``)."""


_SCALARS = (str, int, float, bool, type(None))


def _inline(values: list[Any]) -> bool:
    return all(isinstance(v, _SCALARS) for v in values) and len(str(values)) < 100


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = ">" if len(data) > 80 and "\n" not in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


def _represent_dict(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data,
                                    flow_style=_inline(list(data.values())))


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=_inline(data))


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(list, _represent_list)


def dump(doc: dict[str, Any]) -> str:
    """YAML as a person would write it (the demo manifests' style)."""
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def domain_names(count: int, words: Words) -> list[str]:
    names = list(DOMAINS[:count])
    while len(names) < count:
        name = words.code()
        if name not in names:
            names.append(name)
    return names


def generate(out: Path, products: int, domains: int, seed: int, source: Path) -> dict[str, Any]:
    """Write the mesh to ``out`` (replacing it) and return the stamp written with it."""
    templates = load_templates(source)
    rng = random.Random(seed)
    words = Words(rng)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    names = domain_names(domains, words)
    per_domain = [products // domains + (1 if i < products % domains else 0)
                  for i in range(domains)]
    produced: list[Produced] = []
    files = 0
    for name, count in zip(names, per_domain):
        title = name.replace("_", " ").capitalize()
        teams = make_teams(rng, name, title)
        ddir = out / name
        ddir.mkdir()
        domain_doc = {
            "name": name, "title": title,
            "description": words.text(title, words.pick(ENTITIES), words.pick(MEASURES), 3),
            "team": teams[0], "contacts": support_of(name, 0),
        }
        (ddir / "domain.yaml").write_text(dump(domain_doc), encoding="utf-8")
        files += 1
        taken: set[str] = set()
        for _ in range(count):
            template = templates[rng.randrange(len(templates))]
            team_index = rng.randrange(len(teams))
            folder_info = _unique_folder(words, taken)
            odps, odcs, made = make_product(words, template, name, title, folder_info,
                                            teams[team_index], team_index, produced)
            pdir = ddir / folder_info[0]
            pdir.mkdir()
            (pdir / "product.odps.yaml").write_text(dump(odps), encoding="utf-8")
            (pdir / f"{folder_info[0]}.odcs.yaml").write_text(dump(odcs), encoding="utf-8")
            files += 2
            produced.append(made)
    stamp = {"generator": GENERATOR_VERSION, "products": products, "domains": domains,
             "seed": seed, "templates": [t.product_id for t in templates],
             "templates_hash": templates_hash(templates), "files": files}
    (out / STAMP).write_text(json.dumps(stamp, indent=2), encoding="utf-8")
    return stamp


def is_current(out: Path, products: int, domains: int, seed: int, source: Path) -> bool:
    """True when ``out`` holds a mesh generated with these arguments from these templates."""
    try:
        stamp = json.loads((out / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    want = {"generator": GENERATOR_VERSION, "products": products, "domains": domains,
            "seed": seed}
    if any(stamp.get(k) != v for k, v in want.items()):
        return False
    return stamp.get("templates_hash") == templates_hash(load_templates(source))


def ensure_mesh(out: Path, products: int = DEFAULT_PRODUCTS, domains: int = 40,
                seed: int = DEFAULT_SEED, source: Path | None = None, force: bool = False) -> Path:
    """Generate the mesh into ``out`` unless an up-to-date one is there; return ``out``."""
    source = source or REPO_ROOT / "domains"
    if force or not is_current(out, products, domains, seed, source):
        started = time.perf_counter()
        stamp = generate(out, products, domains, seed, source)
        seconds = time.perf_counter() - started
        print(f"generated {stamp['files']:,} files ({products:,} products, {domains} domains, "
              f"{len(stamp['templates'])} templates) into {out} in {seconds:.1f} s", flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=DEFAULT_PRODUCTS)
    parser.add_argument("--domains", type=int, default=40)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=None, help="default: bench/.work/mesh-N-sSEED")
    parser.add_argument("--source", type=Path, default=REPO_ROOT / "domains",
                        help="template mesh (default: the demo mesh in domains/)")
    parser.add_argument("--force", action="store_true", help="rewrite even if up to date")
    parser.add_argument("--check", action="store_true", help="load the result and list problems")
    args = parser.parse_args(argv)
    out = args.out or default_mesh_root(args.products, args.seed)
    ensure_mesh(out, args.products, args.domains, args.seed, args.source.resolve(), args.force)
    if args.check:
        from catalog.manifests.loader import load_mesh

        mesh = load_mesh(out.resolve())
        problems = mesh.problems
        print(f"loaded {len(mesh.products):,} products in {len(mesh.domains)} domains; "
              f"{sum(p.severity == 'error' for p in problems)} errors, "
              f"{sum(p.severity == 'warning' for p in problems)} warnings")
        for problem in problems[:10]:
            print("  ", problem)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
