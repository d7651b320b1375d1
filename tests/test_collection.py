"""The collector's pause while the widget answers (collection.py); test_kernel.py shows it in a real
kernel answering a page."""

from __future__ import annotations

import gc

from jupyterlite_datasette.collection import collection_after_answer


def test_answers_under_way_at_once_share_one_pause():
    first, second = collection_after_answer(), collection_after_answer()
    first.__enter__()
    second.__enter__()
    assert not gc.isenabled()
    # The first answer ends while the second is still under way, as concurrent tasks do.
    first.__exit__(None, None, None)
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()


def test_the_collector_is_back_after_an_answer_that_failed():
    try:
        with collection_after_answer():
            raise RuntimeError("a page that failed")
    except RuntimeError:
        pass
    assert gc.isenabled()


def test_a_collector_turned_off_before_stays_off():
    gc.disable()
    try:
        with collection_after_answer():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
