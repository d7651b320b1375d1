"""Where each database file came from, kept from the moment it is gathered.

``save()`` and the toolbar use it to know where a database belongs: a file opened
in place is saved already; a kernel-local copy of a file on JupyterLite's /drive goes
back over that file; a download, or tables made from files and DataFrames, go to the
working directory. A Datasette this package did not build (``ds=``) has none recorded,
and its files count as opened in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from weakref import WeakKeyDictionary

from datasette.app import Datasette


@dataclass(frozen=True)
class Origin:
    kind: Literal["file", "drive", "download", "imported"]
    #: For "drive": the file on /drive the database is a kernel-local copy of.
    drive_file: Path | None = None


OPENED_IN_PLACE = Origin("file")

#: Each Datasette built here -> its database files' origins, by path.
_ORIGINS: WeakKeyDictionary[Datasette, dict[Path, Origin]] = WeakKeyDictionary()


def record(ds: Datasette, origins: dict[Path, Origin]) -> None:
    _ORIGINS[ds] = dict(origins)


def origin_of(ds: Datasette, path: Path) -> Origin:
    return _ORIGINS.get(ds, {}).get(path, OPENED_IN_PLACE)
