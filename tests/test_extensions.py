"""The project's Scrapy extensions that have no file to show: the start-up freeze and the
collector's threshold."""

from __future__ import annotations

import gc

import pytest
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.components.extensions import FrozenStartup


def test_startup_objects_are_frozen_while_the_engine_runs() -> None:
    """The engine's start freezes what is alive (a full collection skips it); its stop thaws."""
    crawler = get_crawler(settings_dict={"SMN_GC_FREEZE": True})
    extension = FrozenStartup.from_crawler(crawler)  # held: signals keep weak references
    assert gc.get_freeze_count() == 0
    try:
        crawler.signals.send_catch_log(signals.engine_started)
        assert gc.get_freeze_count() > 10_000  # the imported libraries, at the least
        assert len(gc.get_objects(generation=2)) < 1_000  # what a full collection still walks
        crawler.signals.send_catch_log(signals.engine_stopped)
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()
    assert extension is not None


def test_the_threshold_holds_while_the_engine_runs_and_is_restored() -> None:
    """The youngest generation's threshold is the setting's during the crawl, the
    interpreter's own before and after; the older generations' are left alone."""
    before = gc.get_threshold()
    crawler = get_crawler(settings_dict={"SMN_GC_FREEZE": False, "SMN_GC_THRESHOLD": 12_345})
    extension = FrozenStartup.from_crawler(crawler)
    try:
        crawler.signals.send_catch_log(signals.engine_started)
        assert gc.get_threshold() == (12_345, *before[1:])
        assert gc.get_freeze_count() == 0  # the freeze is off
        crawler.signals.send_catch_log(signals.engine_stopped)
        assert gc.get_threshold() == before
    finally:
        gc.set_threshold(*before)
    assert extension is not None


def test_the_freeze_and_threshold_can_be_turned_off() -> None:
    with pytest.raises(NotConfigured):
        FrozenStartup.from_crawler(get_crawler(
            settings_dict={"SMN_GC_FREEZE": False, "SMN_GC_THRESHOLD": 0}))
