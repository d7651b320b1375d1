"""File names that come from other people (a URL's last segment, a database's name), made safe to write.

A name never chooses a folder: separators, control characters and leading
dots go, and the path it makes is checked to stay in the folder meant.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import DatasetteInputError

#: Path separators (both kinds), NUL and other control characters, and what Windows refuses.
UNSAFE_CHARACTERS = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
#: Longer names are cut: file systems refuse names over 255 bytes.
MAX_LENGTH = 120


def safe_file_name(name: str, fallback: str = "download") -> str:
    """`name` as one plain file name: no folders, no `.`/`..`, not hidden; `fallback` if nothing is left."""
    cleaned = UNSAFE_CHARACTERS.sub("_", name).strip().lstrip(".").strip()
    return cleaned[:MAX_LENGTH] or fallback


def inside(folder: Path, name: str) -> Path:
    """The path of `name` in `folder`, refused if it would resolve anywhere else (a symlink, say)."""
    destination = (folder / name).resolve()
    if destination.parent != folder.resolve():
        raise DatasetteInputError(f"{name!r}: would be written outside {folder}; rename the source and try again")
    return destination
