"""Subcommands of ``python -m catalog``: a registry, one module per command.

Each command module defines ``NAME`` (the subcommand), ``HELP`` (one line), and two functions:
``add_arguments(parser)`` and ``run(args, settings) -> int`` (the process exit code). Add a
command by writing its module and listing it in :data:`COMMAND_MODULES`.
"""

from __future__ import annotations

import importlib
from types import ModuleType

COMMAND_MODULES: tuple[str, ...] = (
    "catalog.commands.validate",
    "catalog.commands.build",
    "catalog.commands.check",
    "catalog.commands.extract",
    "catalog.commands.diff",
    "catalog.commands.import_",
    "catalog.commands.export",
    "catalog.commands.register",
    "catalog.commands.approve",
    "catalog.commands.send_back",
    "catalog.commands.request_access",
    "catalog.commands.requests",
    "catalog.commands.decide",
    "catalog.commands.grants",
    "catalog.commands.token",
    "catalog.commands.copy_store",
    "catalog.commands.mcp",
)
"""Command modules, in the order ``--help`` lists them; missing modules are skipped."""


def command_modules() -> list[ModuleType]:
    """The importable command modules of :data:`COMMAND_MODULES`, in order."""
    modules = []
    for name in COMMAND_MODULES:
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as err:
            if err.name != name:
                raise
    return modules
