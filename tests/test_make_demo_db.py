"""The demo database's builder (lite/make_demo_db.py), without its download."""

from __future__ import annotations

import sys
from pathlib import Path

from sqlite_utils.utils import TypeTracker

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "lite"))
from make_demo_db import detected_types


def test_types_from_distinct_values_are_those_of_every_row():
    # Integers until a float, one blank among integers, missing values (R's NA, made None),
    # text that starts as numbers, a column all missing: order and repeats must not matter.
    records = [
        {"delay": "1", "hour": "5", "tailnum": "1", "gap": None, "note": ""},
        {"delay": "2", "hour": "", "tailnum": "2", "gap": None, "note": "3"},
        {"delay": "2", "hour": "5", "tailnum": "N14228", "gap": None, "note": "3"},
        {"delay": "2.5", "hour": None, "tailnum": "1", "gap": None, "note": "x"},
    ]
    tracker = TypeTracker()
    for _ in tracker.wrap(records):
        pass
    assert detected_types(records) == tracker.types
    assert detected_types(records) == {
        "delay": "float",
        "hour": "integer",
        "tailnum": "text",
        "gap": "integer",
        "note": "text",
    }
    assert list(detected_types(records)) == ["delay", "hour", "tailnum", "gap", "note"]
