"""The SQLite state store: persistence, lookups, batching and the settings factory."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from scrapy.exceptions import NotConfigured

from crawler import similarity
from crawler.project import project_settings
from crawler.state import Match, SqliteState, State, open_state
from tests.pipeline_support import StoryGen

URL_A = "https://www.spacewar.com/reports/A_999.html"
URL_B = "https://www.spacedaily.com/reports/B_999.html"


def _body(seed: int, words: int = 400) -> list[str]:
    return StoryGen(seed).body(words)


def test_is_a_state(tmp_path: Path) -> None:
    st = SqliteState(tmp_path / "s.sqlite")
    assert isinstance(st, State)
    st.close()


def test_story_lookups_survive_reopen(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "state.sqlite"
    paras = _body(1)
    st = SqliteState(path)
    st.add_story(URL_A, "0123456789abcdef", similarity.minhash("\n\n".join(paras)))
    st.add_url(URL_B, URL_A)
    st.close()

    st = SqliteState(path)
    assert st.seen_url(URL_A) == URL_A
    assert st.seen_url(URL_B) == URL_A
    assert st.seen_url("https://www.spacewar.com/reports/C.html") is None
    assert st.find_fingerprint("0123456789abcdef") == URL_A
    assert st.find_fingerprint("fedcba9876543210") is None
    edited = similarity.minhash("\n\n".join(paras[1:]))
    match = st.find_similar(edited)
    assert match is not None and match.url == URL_A and 0.5 <= match.similarity < 1
    assert st.find_similar(similarity.minhash("\n\n".join(_body(2)))) is None
    st.close()


def test_find_similar_prefers_the_closest_story(tmp_path: Path) -> None:
    paras = _body(3, 600)
    st = SqliteState(tmp_path / "s.sqlite")
    st.add_story(URL_A, "1" * 16, similarity.minhash("\n\n".join(paras[:-3])))
    st.add_story(URL_B, "2" * 16, similarity.minhash("\n\n".join(paras[:-1])))
    match = st.find_similar(similarity.minhash("\n\n".join(paras)))
    assert isinstance(match, Match) and match.url == URL_B
    assert st.find_similar(similarity.minhash("\n\n".join(paras)), threshold=1.01) is None
    st.close()


def test_add_url_needs_a_stored_story(tmp_path: Path) -> None:
    st = SqliteState(tmp_path / "s.sqlite")
    with pytest.raises(KeyError):
        st.add_url(URL_B, URL_A)
    st.close()


def test_commits_per_batch_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    st = SqliteState(path, commit_every=3)
    reader = sqlite3.connect(path)
    assert reader.execute("PRAGMA journal_mode").fetchone()[0] == "wal"

    def visible() -> int:
        return reader.execute("SELECT COUNT(*) FROM stories").fetchone()[0]

    def add(n: int) -> None:
        body = "\n\n".join(_body(n))
        st.add_story(f"https://a/{n}", f"{n:016x}", similarity.minhash(body))

    add(1)
    add(2)
    assert visible() == 0  # not yet committed
    add(3)
    assert visible() == 3  # the batch committed
    add(4)
    st.flush()
    assert visible() == 4
    reader.close()
    st.close()


def test_other_similarity_parameters_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    SqliteState(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '64' WHERE key = 'num_perm'")
    with pytest.raises(ValueError, match="other parameters"):
        SqliteState(path)


def test_open_state_from_settings(tmp_path: Path) -> None:
    path = tmp_path / "x" / "state.sqlite"
    st = open_state(project_settings({"SMN_STATE_PATH": str(path), "SMN_STATE_COMMIT_EVERY": 7}))
    assert isinstance(st, SqliteState) and st.commit_every == 7
    st.close()
    assert path.is_file()
    with pytest.raises(NotConfigured):
        open_state(project_settings({"SMN_STATE_PATH": "redis://localhost:6379/0"}))


def test_closed_state_refuses_use(tmp_path: Path) -> None:
    st = SqliteState(tmp_path / "s.sqlite")
    st.close()
    st.close()  # twice is fine
    with pytest.raises(RuntimeError):
        st.seen_url(URL_A)
