"""Datasette's templates as an offline site's build compiled them, for its Pyodide kernel.

Jinja compiles a template the first time a page needs it: Python code generated from the
template, then Python's own compile. In Pyodide that was 0.05 s of a new Datasette's first table
page, and three quarters of its first database page (0.016 of 0.022 s). The site's build compiles
every template of Datasette and of the plugins the kernel starts with, in Pyodide itself
(site_build/templates_in_pyodide.py), into Jinja's bytecode cache, shipped in this package's wheel
as `compiled_templates/`; the kernel's Datasette reads them from there. Jinja checks each against
its template's source (a changed template is compiled anew), and a Python of another version
compiles anew too.

What a template compiles to also depends on the environment's syntax, extensions and options:
the cache is used only by an environment like the one it was made in (`ENVIRONMENT`), such as
one without a plugin that adds an extension.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache

#: Where the site's build puts the compiled templates, in the wheel of this package it makes.
FOLDER = Path(__file__).with_name("compiled_templates")
#: In FOLDER: `signature()` of the environment the templates were compiled in.
ENVIRONMENT = "environment.json"


def signature(env: Environment) -> dict[str, Any]:
    """What of `env` decides what a template compiles to (but for its filters and tests, which a
    template that compiled at all finds at run time)."""
    syntax = [
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
    ]
    return {
        "syntax": syntax,
        "extensions": sorted(env.extensions),
        "autoescape": env.autoescape if isinstance(env.autoescape, bool) else "chosen by name",
        "async": env.is_async,
        "optimized": env.optimized,
        "finalize": env.finalize is not None,
    }


def use_compiled_templates(env: Environment, folder: Path = FOLDER) -> bool:
    """Give `env` the templates compiled in `folder`, if it has them for an environment like `env`."""
    try:
        compiled_for = json.loads((folder / ENVIRONMENT).read_text())
    except (OSError, ValueError):  # no folder (any kernel but an offline site's), or not ours
        return False
    if compiled_for != signature(env):
        return False
    env.bytecode_cache = FileSystemBytecodeCache(str(folder))
    return True
