"""SQL written once in DuckDB's dialect, translated with sqlglot for the engine that runs it.

Every query the platform runs (previews, counts, extract selects, profiles, quality checks,
a contract's ``sql`` rules) is written or checked in DuckDB's dialect
(:func:`catalog.sandbox.check_select`). :func:`transpile` turns one such query into the
dialect of the product's engine (``postgres``, ``spark``), with the few rewrites sqlglot does
not make itself:

* ``hash(a, b)`` (a compound key's fast distinct count): PostgreSQL has no ``hash``, so the
  key is compared as a row, ``count(DISTINCT (a, b))``; Spark's ``hash`` is 32 bits wide
  (collisions on a few million keys), so ``xxhash64(a, b)``;
* ``approx_count_distinct`` (profiles): PostgreSQL has none, so an exact ``count(DISTINCT)``;
* ``timezone('UTC', x)`` for Spark, whose timestamps are instants already read as UTC;
* a derived table without an alias gets one (PostgreSQL before 16 requires it);
* bound parameters: ``?`` becomes psycopg's ``%s`` (and a literal ``%`` is doubled) for
  PostgreSQL, and stays ``?`` for Spark's positional parameters.

What cannot be translated faithfully is refused with :class:`Untranslatable` (the check is then
``skipped`` with the reason, never run as something else): a construct sqlglot reports as
unsupported, ``QUALIFY`` (sqlglot moves a ``LIMIT`` inside the filter it generates), and
regular-expression syntax the engine does not share with DuckDB's RE2. Functions that read
files or settings, or run SQL text, on the target engine are refused with
:class:`catalog.sandbox.SandboxRefused`.
"""

from __future__ import annotations

import re
from typing import Any

from catalog.errors import CatalogError
from catalog.sandbox import SandboxRefused

DUCKDB, POSTGRES, SPARK = "duckdb", "postgres", "spark"
"""The sqlglot dialects the engines speak."""

_PARAM_MARK = "mesh_param_9f3a"
"""Column name standing in for a bound parameter while sqlglot rewrites the query."""

DENIED_FUNCTIONS: dict[str, frozenset[str]] = {
    POSTGRES: frozenset({
        "pg_read_file", "pg_read_binary_file", "pg_ls_dir", "pg_stat_file", "pg_ls_logdir",
        "pg_ls_waldir", "pg_ls_tmpdir", "pg_ls_archive_statusdir", "lo_import", "lo_export",
        "lo_get", "current_setting", "set_config", "query_to_xml", "query_to_xml_and_xmlschema",
        "query_to_xmlschema", "cursor_to_xml", "table_to_xml", "schema_to_xml",
        "database_to_xml", "dblink", "dblink_exec", "pg_terminate_backend",
        "pg_cancel_backend", "pg_reload_conf", "pg_rotate_logfile", "pg_promote",
        "inet_server_addr", "inet_server_port", "pg_sleep", "pg_sleep_for", "pg_sleep_until",
    }),
    SPARK: frozenset({"reflect", "java_method", "try_reflect", "input_file_name",
                      "input_file_block_start", "input_file_block_length", "read_files",
                      "current_catalog", "sleep"}),
}
"""Functions an untrusted query may not call on each engine: they read files, settings or
server state, run SQL text or Java of their own, or only wait."""

_RE2_ONLY = {
    POSTGRES: (re.compile(r"\\[pP]\{|\\[pP][A-Z]|\(\?P?<|\(\?[imsU-]+\)|\\[AzQE]"),
               "PostgreSQL reads differently: its regular expressions have no Unicode classes "
               "(\\p{…}), named groups, inline flags or \\A/\\z anchors"),
    SPARK: (re.compile(r"\(\?P<|\\C"), "Spark reads differently: Java's regular expressions "
            "have no (?P<name>…) groups"),
}
"""Regular-expression syntax DuckDB (RE2) accepts that the engine's regex library reads
differently or refuses."""


class Untranslatable(CatalogError):
    """A query (or a pattern in it) cannot be run faithfully in the engine's dialect; the
    message says what and why, so the check can be reported as ``skipped``."""


def regex_problem(pattern: str, dialect: str) -> str | None:
    """Why ``pattern`` (RE2 syntax, as DuckDB reads it) would not mean the same on the
    engine, or None when it is safe to run there.

    Args:
        pattern: the regular expression.
        dialect: ``duckdb``, ``postgres`` or ``spark``.

    Returns:
        A sentence for the user, or None.
    """
    rule = _RE2_ONLY.get(dialect)
    if rule is None or not rule[0].search(pattern):
        return None
    return f"The pattern {pattern!r} uses syntax that {rule[1]}."


def _name(func: Any) -> str:
    from sqlglot import exp

    return str(func.name if isinstance(func, exp.Anonymous) else func.sql_name()).lower()


def _rewrite(tree: Any, dialect: str) -> Any:
    """Apply the dialect's rewrites to a DuckDB syntax tree (in place); returns the tree."""
    from sqlglot import exp

    if tree.find(exp.Qualify) is not None:
        raise Untranslatable("QUALIFY cannot be translated faithfully for "
                             f"{dialect.capitalize()}; filter a window in a subquery instead.")
    for func in list(tree.find_all(exp.Func)):
        name = _name(func)
        if name == "hash":
            args = [a.copy() for a in func.expressions]
            if dialect == POSTGRES:
                func.replace(exp.Tuple(expressions=args) if len(args) > 1 else args[0])
            elif dialect == SPARK:
                func.replace(exp.Anonymous(this="XXHASH64", expressions=args))
        elif isinstance(func, exp.ApproxDistinct) and dialect == POSTGRES:
            func.replace(exp.Count(this=exp.Distinct(expressions=[func.this.copy()])))
        elif name == "timezone" and dialect == SPARK:
            args = func.expressions or [func.args.get("expression")]
            value = args[-1] if args and args[-1] is not None else func.this
            func.replace(value.copy())
        elif isinstance(func, exp.RegexpLike) and isinstance(func.expression, exp.Literal):
            problem = regex_problem(str(func.expression.this), dialect)
            if problem:
                raise Untranslatable(problem)
    for series in list(tree.find_all(exp.GenerateSeries)):
        _inclusive_series(series, dialect)
    for number, sub in enumerate(list(tree.find_all(exp.Subquery))):
        if not sub.alias and isinstance(sub.parent, exp.From | exp.Join):
            sub.set("alias", exp.TableAlias(this=exp.to_identifier(f"_q{number}")))
    for param in list(tree.find_all(exp.Placeholder)):
        param.replace(exp.column(_PARAM_MARK))
    return tree


def _inclusive_series(series: Any, dialect: str) -> None:
    """DuckDB's ``range(start, stop[, step])`` (``stop`` excluded) as an inclusive series.

    sqlglot writes the excluded ``stop`` as ``stop - 1`` for PostgreSQL (wrong for timestamps)
    and as an ``IF`` guard for Spark that repeats ``start`` and ``stop`` (a bound parameter
    then appears twice, which Spark's positional parameters cannot bind). Here the last value
    is ``stop - 1`` for numbers and ``stop - INTERVAL 1 MICROSECOND`` when the step is an
    interval (the three engines keep timestamps to the microsecond), so every value below
    ``stop`` is generated, and each parameter stays where it was. In ``FROM``, Spark gets the
    series as ``EXPLODE(SEQUENCE(…))`` with the table alias's column names kept."""
    from sqlglot import exp

    if not series.args.get("is_end_exclusive"):
        return
    step = series.args.get("step")
    before = exp.Interval(this=exp.Literal.string("1"), unit=exp.Var(this="MICROSECOND")) \
        if isinstance(step, exp.Interval) else exp.Literal.number(1)
    series.set("end", exp.Sub(this=series.args["end"].copy(), expression=before))
    series.set("is_end_exclusive", None)
    if dialect == SPARK and isinstance(series.parent, exp.Table):
        series.replace(exp.Unnest(expressions=[series.copy()]))


def _refuse_denied(tree: Any, dialect: str) -> None:
    from sqlglot import exp

    denied = DENIED_FUNCTIONS.get(dialect, frozenset())
    for func in tree.find_all(exp.Func):
        name = _name(func)
        if name in denied:
            raise SandboxRefused(f"The query calls {name}(), which reads files, settings or "
                                 "server state on the engine; read only the product's data.")


def transpile(sql: str, dialect: str) -> str:
    """One DuckDB query in the engine's dialect.

    Args:
        sql: exactly one query in DuckDB's dialect; ``?`` marks bound parameters.
        dialect: ``duckdb`` (returned unchanged), ``postgres`` or ``spark``.

    Returns:
        The query for the engine; parameters as ``%s`` (PostgreSQL, literal ``%`` doubled)
        or ``?`` (Spark).

    Raises:
        Untranslatable: sqlglot cannot translate a construct, or the query uses ``QUALIFY``
            or a regular expression the engine reads differently.
            A translation that would repeat or drop a bound parameter is refused too.
        SandboxRefused: the query calls a function :data:`DENIED_FUNCTIONS` lists for the
            engine, or is not one statement.
    """
    if dialect == DUCKDB:
        return sql
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ErrorLevel

    try:
        trees = [t for t in sqlglot.parse(sql, read=DUCKDB) if t is not None]
    except (sqlglot.errors.ParseError, sqlglot.errors.TokenError) as err:
        raise Untranslatable(f"The query does not parse: {str(err).splitlines()[0]}") from None
    if len(trees) != 1:
        raise SandboxRefused("Only one statement may run.")
    params = len(list(trees[0].find_all(exp.Placeholder)))
    tree = _rewrite(trees[0], dialect)
    _refuse_denied(tree, dialect)
    try:
        text = tree.sql(dialect=dialect, unsupported_level=ErrorLevel.RAISE)
    except sqlglot.errors.UnsupportedError as err:
        raise Untranslatable(f"The query cannot be translated for {dialect.capitalize()}: "
                             f"{str(err).splitlines()[0]}") from None
    if text.count(_PARAM_MARK) != params:
        raise Untranslatable(f"The query cannot be translated for {dialect.capitalize()}: "
                             "its translation would repeat or drop a bound parameter.")
    quoted = {POSTGRES: f'"{_PARAM_MARK}"', SPARK: f"`{_PARAM_MARK}`"}.get(dialect, _PARAM_MARK)
    if dialect == POSTGRES:
        text = text.replace("%", "%%")
        return text.replace(quoted, "%s").replace(_PARAM_MARK, "%s")
    return text.replace(quoted, "?").replace(_PARAM_MARK, "?")


def parses_as(sql: str, dialect: str) -> bool:
    """True when ``sql`` parses as exactly one statement in ``dialect`` (sqlglot's reader)."""
    import sqlglot

    try:
        return len([t for t in sqlglot.parse(sql.replace("%s", "NULL"), read=dialect)
                    if t is not None]) == 1
    except (sqlglot.errors.ParseError, sqlglot.errors.TokenError):
        return False
