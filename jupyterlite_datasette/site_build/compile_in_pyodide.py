"""Compiles Python sources to bytecode in Pyodide (run_in_pyodide.mjs), for the site's build
(bytecode.py): Pyodide's Python is the kernel's, and its bytecode is not the build's.

    compile_in_pyodide.py JOBS

JOBS: a JSON file (a host path, as the script's own) of [source, bytecode, kind, name]: source
and bytecode are host paths, and the kernel imports the module from `name` in the folder `kind`
says (bytecode.SOURCES). The bytecode is checked by no one (`unchecked-hash`): the kernel has no
source to check it against.
"""

import importlib.util
import json
import os
import site
import sys
import warnings
from importlib._bootstrap_external import _code_to_hash_pyc  # type: ignore[attr-defined]

HOST = "/host"
#: Where the kernel imports from, by kind: this Pyodide's are the kernel's.
FOLDERS = {"stdlib": os.path.dirname(os.__file__), "site-packages": site.getsitepackages()[0]}


def main(jobs_file: str) -> None:
    with open(HOST + jobs_file) as jobs:
        for source_path, bytecode_path, kind, name in json.load(jobs):
            with open(HOST + source_path, "rb") as source_file:
                source = source_file.read()
            # What a module's source warns of at compile time (invalid escapes, say) is the
            # package's affair, and would be said at every build.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                code = compile(source, f"{FOLDERS[kind]}/{name}", "exec", dont_inherit=True)
            with open(HOST + bytecode_path, "wb") as bytecode:
                bytecode.write(_code_to_hash_pyc(code, importlib.util.source_hash(source), False))


if __name__ == "__main__":
    main(sys.argv[1])
