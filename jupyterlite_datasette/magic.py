"""``%datasette``: open databases in a widget, with options like ``datasette serve``."""

from __future__ import annotations

import glob
import shlex
from pathlib import Path

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments

from .errors import DatasetteInputError
from .gather import is_dataframe
from .transport import RequestError
from .widget import DatasetteWidget

#: What people type for help at a command line; IPython's magic parsers know neither.
HELP_FLAGS = {"-h", "--help"}
#: Characters that make a source a shell-style pattern (``data/*.db``).
PATTERN_CHARACTERS = set("*?[")


def expanded(source: str) -> list[str]:
    """The files a pattern names, in order, as a shell gives them to ``datasette serve *.db``;
    any other source (a file, a URL, a variable's name) as it is."""
    if not PATTERN_CHARACTERS & set(source) or "://" in source or Path(source).expanduser().exists():
        return [source]
    matches = sorted(glob.glob(str(Path(source).expanduser())))
    if not matches:
        raise UsageError(f"{source}: no file matches this pattern")
    return matches


@magics_class
class DatasetteMagics(Magics):
    @magic_arguments()
    @argument(
        "sources",
        nargs="*",
        metavar="SOURCE",
        help="SQLite files (read-only unless --write), SQL files (a dump), CSV/TSV/JSON/NDJSON/Parquet "
        "files, URLs of any of them, or names of pandas DataFrames in the notebook. Patterns such as "
        "data/*.db name every file they match.",
    )
    @argument("-m", "--metadata", metavar="FILE", help="Metadata for the instance, as JSON or YAML: a file or a URL.")
    @argument(
        "--write",
        action="store_true",
        help="Open the files for writing, so write canned queries can change them.",
    )
    @argument("--memory", action="store_true", help="Add an in-memory database, _memory.")
    @argument(
        "--crossdb",
        action="store_true",
        help="Cross-database queries: _memory's SQL reads the first ten databases as name.table.",
    )
    @argument(
        "-s",
        "--setting",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="A Datasette setting, as in 'datasette serve --setting'; repeatable.",
    )
    @argument(
        "--root",
        action="store_true",
        help="Sign the widget in as the root user, as 'datasette serve --root' lets you "
        "(on Datasette 1.0, root may do everything, writes included with --write).",
    )
    @argument("--path", help="The first page to show, e.g. /mydb/mytable.")
    @argument("--height", type=int, default=600, help="Height of the page area in pixels.")
    @argument(
        "--image-host",
        action="append",
        default=[],
        metavar="HOST",
        help="Let pages load images from this host, e.g. https://*.tile.openstreetmap.org for online "
        "map tiles (it sees which images they ask for); repeatable. By default nothing loads from the network.",
    )
    @line_magic
    def datasette(self, line: str) -> DatasetteWidget | None:
        """Show Datasette over SQLite files, table files, URLs or DataFrames in the cell's output.

        The widget is the cell's result, so ``w = _`` in the next cell keeps it.
        """
        try:
            # POSIX splitting, unlike IPython's default, unquotes "my data.db".
            argv = shlex.split(line)
        except ValueError as e:
            raise UsageError(f"cannot parse {line!r}: {e}") from None
        parser = self.datasette.parser
        if HELP_FLAGS & set(argv):
            # As `%datasette?` shows it, without the reStructuredText marker before the usage.
            print(parser.format_help().removeprefix("::\n\n"))
            return None
        try:
            args = parser.parse_args(argv)
        except UsageError as e:  # an unknown option or a bad value, which the parser names
            raise UsageError(f"{e}; %datasette --help lists the options") from None
        if args.height <= 0:
            raise UsageError(f"--height must be a positive number of pixels, not {args.height}")
        sources, tables = [], {}
        # The notebook's variables (a magic always has its shell; the type allows none).
        user_ns = self.shell.user_ns if self.shell is not None else {}
        for source in [each for pattern in args.sources for each in expanded(pattern)]:
            value = user_ns.get(source) if source.isidentifier() else None
            # A DataFrame by its variable name, unless a file has that name.
            if is_dataframe(value) and not Path(source).exists():
                tables[source] = value
            else:
                sources.append(source)
        try:
            return DatasetteWidget(
                *sources,
                tables=tables,
                metadata=args.metadata,
                settings=dict(args.setting),
                memory=args.memory,
                write=args.write,
                crossdb=args.crossdb,
                root=args.root,
                path=args.path,
                height=args.height,
                image_hosts=args.image_host,
            )
        except (DatasetteInputError, RequestError) as e:
            # One line, no traceback: the message names the input to fix.
            raise UsageError(str(e)) from None


def register(ipython) -> None:
    ipython.register_magics(DatasetteMagics)
