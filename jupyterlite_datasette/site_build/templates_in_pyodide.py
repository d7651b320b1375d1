"""Compiles Datasette's templates in Pyodide (run_in_pyodide.mjs), for the site's build
(templates.py): Jinja's bytecode cache of them, for the kernel's Datasette
(jupyterlite_datasette/compiled_templates.py).

    templates_in_pyodide.py WHEELS OUT

WHEELS: a JSON file (a host path, as the script's own) of the host paths of the wheels the
kernel installs as it starts. They are installed here where the kernel installs them: Jinja's
cache knows a template by its path. OUT: the host folder the compiled templates go into, with
the signature of the environment they were compiled in.
"""

import importlib
import json
import site
import sys
import zipfile

HOST = "/host"


def main(wheels_file: str, out: str) -> None:
    with open(HOST + wheels_file) as wheels:
        for wheel in json.load(wheels):
            with zipfile.ZipFile(HOST + wheel) as archive:
                archive.extractall(site.getsitepackages()[0])
    importlib.invalidate_caches()
    from jinja2 import FileSystemBytecodeCache, TemplateError

    from jupyterlite_datasette.compiled_templates import ENVIRONMENT, signature
    from jupyterlite_datasette.datasette_line import jinja_environment
    from jupyterlite_datasette.instance import build_datasette

    # The kernel's own Datasette, as the widget builds it: the environment is the kernel's.
    env = jinja_environment(build_datasette([]))
    env.bytecode_cache = FileSystemBytecodeCache(HOST + out)
    for name in env.list_templates(extensions=["html"]):
        try:
            env.get_template(name)
        except TemplateError:
            # A plugin's template that needs what only its prepare_jinja2_environment hook adds:
            # the kernel compiles it, as it would have.
            continue
    with open(f"{HOST}{out}/{ENVIRONMENT}", "w") as environment:
        json.dump(signature(env), environment)


if __name__ == "__main__":
    main(*sys.argv[1:])
