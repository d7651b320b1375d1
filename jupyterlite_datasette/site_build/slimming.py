"""What the kernel's copies of some packages leave out: files a notebook kernel never reads,
which every visitor would otherwise download and unpack first."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from dataclasses import dataclass

#: A wheel's files: path inside the wheel -> bytes.
Files = dict[str, bytes]


@dataclass(frozen=True)
class Slimming:
    """What one package's wheel leaves out."""

    #: fnmatch patterns of the paths left out...
    left_out: tuple[str, ...]
    #: ... but for these, kept.
    kept: tuple[str, ...] = ()
    #: What then changes in the files that are left, so that they say what is gone.
    amend: Callable[[Files], Files] | None = None

    def apply(self, files: Files) -> Files:
        """The wheel's `files` that are left, amended."""

        def matches(name: str, patterns: tuple[str, ...]) -> bool:
            return any(fnmatch.fnmatch(name, pattern) for pattern in patterns)

        left = {
            name: data for name, data in files.items() if not matches(name, self.left_out) or matches(name, self.kept)
        }
        return self.amend(left) if self.amend else left


#: Pygments' lexers that IPython uses (its own lexers build on those of shell, HTML, JavaScript,
#: Perl, Ruby and TeX; tracebacks and `?` are Python), SQL for a Datasette user, plain text, and
#: the modules they import: about 25 of pygments' 260.
PYGMENTS_LEXERS = (
    "python", "sql", "special", "shell", "html", "markup", "javascript", "css", "data", "perl", "ruby",
    "jvm", "lisp", "lilypond",
    "_css_builtins", "_googlesql_builtins", "_lilypond_builtins", "_mysql_builtins", "_postgres_builtins",
    "_scheme_builtins", "_sql_builtins", "_tsql_builtins",
)  # fmt: skip
PYGMENTS_MAPPING = "pygments/lexers/_mapping.py"
#: One lexer of pygments' mapping: `    'PythonLexer': ('pygments.lexers.python', ...),`
MAPPING_ENTRY = re.compile(r"^    '\w+': \('pygments\.lexers\.(\w+)',", re.MULTILINE)


def pygments_mapping_of_what_is_left(files: Files) -> Files:
    """Pygments' mapping without the lexers left out: asked for one of those, pygments says it has
    no such lexer (ClassNotFound, which IPython takes as plain text), as for any unknown language."""
    lines = files[PYGMENTS_MAPPING].decode().splitlines(keepends=True)
    kept = [line for line in lines if (entry := MAPPING_ENTRY.match(line)) is None or entry[1] in PYGMENTS_LEXERS]
    return {**files, PYGMENTS_MAPPING: "".join(kept).encode()}


SLIMMED = {
    # Type stubs of other libraries (requests, six, ...) and of Django: 2.6 MB of jedi's
    # 3.7 MB. Jedi completes the standard library from its own stubs, which stay, and
    # installed packages from their code; it takes a missing folder of stubs as empty.
    "jedi": Slimming(("jedi/third_party/typeshed/stubs/*", "jedi/third_party/django-stubs/*")),
    # ipywidgets' own tests (and the image they load): 60 kB of its 130, which no kernel imports.
    "ipywidgets": Slimming(("ipywidgets/tests/*", "ipywidgets/widgets/tests/*")),
    # anywidget's front end: the site carries it as a JupyterLab extension of its own.
    "anywidget": Slimming(("anywidget/labextension/*", "anywidget/nbextension/*", "anywidget-*.data/*")),
    # The lexers of languages no kernel of ours highlights: 0.8 MB of pygments' 1.25 MB.
    "pygments": Slimming(
        ("pygments/lexers/*",),
        kept=(
            "pygments/lexers/__init__.py",
            PYGMENTS_MAPPING,
            *(f"pygments/lexers/{name}.py" for name in PYGMENTS_LEXERS),
        ),
        amend=pygments_mapping_of_what_is_left,
    ),
}
