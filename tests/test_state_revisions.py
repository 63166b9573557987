"""What the state keeps for revisits and backfills, in both stores (SQLite and a real Redis):
revisions, gone stories, the refresh window per host, article validators, dates of pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler import similarity
from crawler.state import SqliteState, State
from crawler.state.redis_store import RedisState
from tests.redis_server import RedisServer, redis_server  # noqa: F401  (fixture)

SW = "https://www.spacewar.com/reports/{}_999.html"
MD = "https://www.marsdaily.com/reports/{}_999.html"


def _body(words: str, n: int = 30) -> str:
    return " ".join(f"{words} sentence number {i} tells what happened at the launch pad."
                    for i in range(n))


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def state(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[State]:
    if request.param == "sqlite":
        st: State = SqliteState(tmp_path / "s.sqlite")
    else:
        server: RedisServer = request.getfixturevalue("redis_server")
        st = RedisState.from_url(server.url, prefix=f"rev:{request.node.name}")
    yield st
    st.close()


def _add(st: State, url: str, published: str | None, words: str) -> None:
    body = _body(words)
    st.add_story(url, similarity.fingerprint(body), similarity.sketch(body), published,
                 similarity.version_of(words, body))


def test_the_refresh_window_is_per_host(state: State) -> None:
    for name, day in (("A", "2024-06-01"), ("B", "2024-06-08"), ("C", "2024-06-10"),
                      ("D", "2024-06-11")):
        _add(state, SW.format(name), day, name)
    _add(state, MD.format("E"), "2024-05-20", "E")  # a quiet site: its newest story counts
    _add(state, MD.format("F"), "2024-05-01", "F")
    _add(state, MD.format("G"), None, "G")  # undated: never revisited
    _add(state, SW.format("H"), "2031-01-01", "H")  # after "today": a typo, ignored
    recent = {s.url for s in state.recent(3, "2026-12-01")}
    assert recent == {SW.format("B"), SW.format("C"), SW.format("D"), MD.format("E")}
    state.mark_gone(SW.format("C"), 410)
    assert {s.url for s in state.recent(3, "2026-12-01")} == {
        SW.format("B"), SW.format("D"), MD.format("E")}
    stored = state.story(SW.format("C"))
    assert stored is not None and stored.gone == 410


def test_a_revision_replaces_the_fingerprint_and_keeps_both_bodies_findable(state: State) -> None:
    url = SW.format("A")
    _add(state, url, "2024-06-01", "A")
    first = state.story(url)
    assert first is not None and first.revision == 1 and first.published == "2024-06-01"
    assert first.fingerprint == similarity.fingerprint(_body("A"))
    assert first.version == similarity.version_of("A", _body("A"))
    edited = _body("A") + " One more paragraph was added by the editors after publication."
    state.revise(url, similarity.fingerprint(edited), similarity.sketch(edited), 2,
                 similarity.version_of("A", edited))
    after = state.story(url)
    assert after is not None and after.revision == 2
    assert after.fingerprint == similarity.fingerprint(edited)
    assert after.version == similarity.version_of("A", edited)
    assert state.find_fingerprint(similarity.fingerprint(edited)) == url
    rule = similarity.Rule()
    assert [m.url for m in state.similar(similarity.sketch(_body("A")), rule)] == [url]
    state.add_url(SW.format("alias"), url)
    assert state.story(SW.format("alias")) == after
    with pytest.raises(KeyError):
        state.revise(SW.format("none"), "00", similarity.sketch("x y z w"), 2)


def test_validators_and_dates_of_pages(state: State) -> None:
    url = SW.format("A")
    assert state.validators(url) is None
    state.set_validators(url, '"abc"', "Wed, 21 Oct 2015 07:28:00 GMT")
    assert state.validators(url) == ('"abc"', "Wed, 21 Oct 2015 07:28:00 GMT")
    state.set_validators(url, None, "Thu, 22 Oct 2015 07:28:00 GMT")
    assert state.validators(url) == (None, "Thu, 22 Oct 2015 07:28:00 GMT")
    _add(state, url, "2024-06-01", "A")
    assert state.published_of(url) == "2024-06-01"
    other = SW.format("Outside")
    assert state.published_of(other) is None
    state.note_published(other, "2023-01-02")
    assert state.published_of(other) == "2023-01-02"
    assert state.seen_url(other) is None  # a dated page is not a story


def test_a_copy_keeps_the_date_its_own_page_shows(state: State) -> None:
    url = SW.format("A")
    _add(state, url, "2024-06-01", "A")
    copy = "https://spacedaily.com/a-copy-of-a/"
    state.add_url(copy, url)
    assert state.published_of(copy) == "2024-06-01"  # the story's, until told otherwise
    state.note_published(copy, "2026-01-08T07:16:00+10:00")
    assert state.published_of(copy) == "2026-01-08T07:16:00+10:00"
    assert state.published_of(url) == "2024-06-01"
    state.note_published(SW.format("Undated"), "")
    assert state.published_of(SW.format("Undated")) == ""  # known, and undated
