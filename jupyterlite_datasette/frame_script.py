"""The page frame's script: the ES modules of ``static/frame/``, joined into the one script it runs.

The frame loads no script from a URL (its policy's only script is the one the shell writes
inline), so it cannot import modules. Their imports and exports are for TypeScript's check
(``static/jsconfig.json``) and for the reader. Joined in `FRAME_PARTS` order inside one
function scope, without their import lines and `export` keywords, every name a file imports
is the very binding its module exports, as a live import is; a test checks that no two files
declare the same name.
"""

from __future__ import annotations

import re
from pathlib import Path

FRAME = Path(__file__).parent / "static" / "frame"

#: The parts in the order their top-level code runs: each uses, as it loads, only what
#: earlier parts define (later parts' names only in functions called once all are in).
FRAME_PARTS = (
    "core",
    "seal",
    "rewrite",
    "network",
    "modules",
    "resources",
    "page",
    "keys",
    "gestures",
    "downloads",
    "navigation",
)

#: The one form of import the parts use: named bindings from a sibling part.
IMPORT_LINE = re.compile(r'^import \{[^}]*\} from "\./(\w+)\.js";\n', re.MULTILINE)
EXPORT_KEYWORD = re.compile(r"^export (?=(?:async )?function\b|const\b|let\b|class\b)", re.MULTILINE)


def frame_part(name: str) -> str:
    """The part `name` as plain script: its imports and export keywords gone."""
    text = (FRAME / f"{name}.js").read_text()
    unknown = set(IMPORT_LINE.findall(text)) - set(FRAME_PARTS)
    if unknown:
        raise ValueError(f"frame/{name}.js imports {sorted(unknown)}, which are not frame parts")
    text = EXPORT_KEYWORD.sub("", IMPORT_LINE.sub("", text))
    if re.search(r"^(?:import|export)\b", text, re.MULTILINE):
        raise ValueError(f'frame/{name}.js has an import or export other than `import {{...}} from "./part.js"`')
    return text


def frame_script() -> str:
    """The parts joined, in one function scope of their own."""
    return "(() => {\n" + "\n".join(frame_part(name) for name in FRAME_PARTS) + "\n})();\n"
