"""The SQLite state store: persistence, lookups, batching and the settings factory."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from scrapy.exceptions import NotConfigured

from crawler import similarity
from crawler.project import project_settings
from crawler.state import Match, SqliteState, State, key64, keyfilter, open_state
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


_FORMAT_1 = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE stories(id INTEGER PRIMARY KEY, url TEXT NOT NULL, fingerprint INTEGER NOT NULL,
    signature BLOB NOT NULL, added REAL NOT NULL);
CREATE TABLE urls(key INTEGER PRIMARY KEY, story INTEGER NOT NULL);
CREATE TABLE bands(key INTEGER NOT NULL, story INTEGER NOT NULL, PRIMARY KEY(key, story))
    WITHOUT ROWID;
"""
"""The tables a format-1 state file was created with (before shingle counts and lead keys)."""


def test_a_format_1_state_is_migrated_and_keeps_its_stories(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    paras = _body(5, 600)
    old = similarity.signature_bytes(similarity.minhash("\n\n".join(paras)))
    with sqlite3.connect(path) as db:
        db.executescript(_FORMAT_1)
        params = {"format": "1", "num_perm": "128", "bands": "32x4", "shingle_words": "4",
                  "minhash": "datasketch/affine32/seed=1/b16"}
        db.executemany("INSERT INTO meta VALUES (?, ?)", params.items())
        db.execute("INSERT INTO stories VALUES (1, ?, 1, ?, 0)", (URL_A, old))
        db.execute("INSERT INTO urls VALUES (?, 1)", (key64(URL_A),))
        db.executemany("INSERT INTO bands VALUES (?, 1)",
                       [(k,) for k in similarity.band_keys(old)])
    st = SqliteState(path)
    assert st.seen_url(URL_A) == URL_A
    # an old story has no shingle count: a lightly edited copy is still found by Jaccard ...
    edited = similarity.sketch("\n\n".join(paras[1:]))
    [match] = st.similar(edited, similarity.Rule())
    assert match.url == URL_A and match.containment is None and match.rule == "jaccard"
    # ... and new stories get counts and lead keys
    st.add_story(URL_B, "2" * 16, similarity.sketch("\n\n".join(_body(6, 600))))
    st.close()
    with sqlite3.connect(path) as db:
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        sizes = dict(db.execute("SELECT url, shingles FROM stories").fetchall())
    assert meta["format"] == "2" and "lead" in meta
    assert sizes[URL_A] is None and sizes[URL_B] > 500


def test_a_trimmed_copy_is_found_by_its_lead_and_judged_by_containment(tmp_path: Path) -> None:
    paras = _body(7, 900)
    half = next(n for n in range(1, len(paras))
                if 2 * sum(len(p.split()) for p in paras[:n]) >= sum(len(p.split()) for p in paras))
    st = SqliteState(tmp_path / "s.sqlite")
    st.add_story(URL_A, "1" * 16, similarity.sketch("\n\n".join(paras)))
    trimmed = similarity.sketch("\n\n".join(paras[:half]))
    [match] = st.similar(trimmed, similarity.Rule())
    assert match.url == URL_A and match.containment is not None and match.containment >= 0.8
    assert st.similar(trimmed, similarity.Rule(containment=1.01, jaccard=0.9)) == []
    # the bands alone would have to be lucky: the lead keys make it a candidate every time
    assert set(trimmed.lead) == set(similarity.sketch("\n\n".join(paras)).lead)
    st.close()



@pytest.mark.parametrize("merged", [False, True], ids=["recent", "merged"])
def test_stories_that_open_alike_are_candidates_and_one_shared_lead_key_is_not(
        tmp_path: Path, merged: bool) -> None:
    """Lead keys bring the stories that share all of them (open as the new one does), however
    many share one of them: one shared 4-word shingle is a common phrase, not a copy. The same
    from the recent bucket table and from the large one."""
    opening = " ".join(_body(11, 60)).split()[:40]
    query = similarity.sketch(" ".join([*opening, *" ".join(_body(999, 400)).split()]))
    # the same opening with one word changed: the last word of the later lead shingle, outside
    # the earlier one, so that the edited openings share exactly one lead key with the query
    lead_words = {i for i in range(len(opening) - 3)
                  if similarity.lead_keys(" ".join(opening[i:i + 4]))[0] in query.lead}
    _, second = sorted(lead_words)
    edited = list(opening)
    edited[second + 3] = "zzyzx"
    st = SqliteState(tmp_path / "s.sqlite")
    alike, one_key = [], []
    for i in range(12):
        for words, group in ((opening, alike), (edited, one_key)):
            body = " ".join([*words, *" ".join(_body(100 + 2 * i + len(group), 400)).split()])
            url = f"https://www.spacewar.com/reports/Lead_{len(alike) + len(one_key)}_999.html"
            st.add_story(url, f"{len(alike) + len(one_key):016x}", similarity.sketch(body))
            group.append((url, similarity.sketch(body)))
    assert all(set(sk.lead) == set(query.lead) for _, sk in alike)  # the premises
    assert all(len(set(sk.lead) & set(query.lead)) == 1 for _, sk in one_key)
    if merged:
        st.recent_limit = 0
        st.flush()
        assert st.db.execute("SELECT COUNT(*) FROM recent").fetchone() == (0,)
    everything = similarity.Rule(jaccard=0.0, containment=0.0)
    assert {m.url for m in st.similar(query, everything)} == {url for url, _ in alike}
    st.close()


def _copies(n: int) -> list[tuple[str, list[str]]]:
    return [(f"https://www.spacewar.com/reports/Merge_{i}_999.html", _body(200 + i, 300))
            for i in range(n)]


def test_the_filter_grows_and_a_killed_run_gets_it_rebuilt(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Searches read the large bucket table only for the keys the Bloom filter may hold: a
    story is found by an edited copy, from either table, while the filter grows past its
    capacity, after the state is closed (the filter stored), and after a run that was killed
    before it could store it."""
    monkeypatch.setattr(keyfilter, "MIN_CAPACITY", 64)  # a filter full after two stories
    path = tmp_path / "s.sqlite"
    stories = _copies(32)
    st = SqliteState(path, commit_every=1)
    st.recent_limit = 5 * 33  # a merge into bands every five stories or so
    for i, (url, paras) in enumerate(stories[:16]):
        st.add_story(url, f"{i:016x}", similarity.sketch("\n\n".join(paras)))
    st.close()
    st = SqliteState(path, commit_every=1)
    st.recent_limit = 5 * 33
    for i, (url, paras) in enumerate(stories[16:], start=16):
        st.add_story(url, f"{i:016x}", similarity.sketch("\n\n".join(paras)))
    st.db.close()  # killed: every story committed, the filter of the first close not updated
    with sqlite3.connect(path) as db:
        stored, rows, recent = db.execute(
            "SELECT rows, (SELECT COUNT(*) FROM bands), (SELECT COUNT(DISTINCT story) FROM "
            "recent) FROM bandfilter").fetchone()
    assert stored < rows  # the premises: the stored filter covers the first merges only,
    assert 0 < recent < 5  # and the last stories are still in the recent table
    st = SqliteState(path)
    for url, paras in stories:
        match = st.find_similar(similarity.minhash("\n\n".join(paras[1:])))
        assert match is not None and match.url == url
    assert st.find_similar(similarity.minhash("\n\n".join(_body(999, 300)))) is None
    st.close()


def test_a_state_from_before_the_opening_keys_is_given_them(tmp_path: Path) -> None:
    """A file of the earlier layout (each lead key a bucket of its own, no filter) is given the
    opening keys and its filter when opened: a trimmed copy, which its bands alone rarely find,
    is found through its story's opening."""
    path = tmp_path / "s.sqlite"
    stories = [(url, _body(300 + i, 900)) for i, (url, _) in enumerate(_copies(4))]
    st = SqliteState(path)
    for i, (url, paras) in enumerate(stories):
        st.add_story(url, f"{i:016x}", similarity.sketch("\n\n".join(paras)))
    st.close()
    leads = {url: similarity.lead_keys("\n\n".join(paras)) for url, paras in stories}
    with sqlite3.connect(path) as db:  # back to the layout of earlier files
        ids = dict(db.execute("SELECT url, id FROM stories").fetchall())
        db.executemany("DELETE FROM recent WHERE key = ?",
                       [(similarity.opening_key(lead),) for lead in leads.values()])
        db.execute("INSERT INTO bands SELECT key, story FROM recent")
        db.executemany("INSERT INTO bands VALUES (?, ?)",
                       [(key, ids[url]) for url, keys in leads.items() for key in keys])
        db.executescript("DROP TABLE recent; DROP TABLE bandfilter;"
                         "DELETE FROM meta WHERE key = 'layout';")
        db.execute("UPDATE stories SET revision = 2 WHERE url = ?", (stories[-1][0],))
    st = SqliteState(path)
    for url, paras in stories[:-1]:
        half = "\n\n".join(paras[: len(paras) // 2])
        [match] = st.similar(similarity.sketch(half), similarity.Rule())
        assert match.url == url and match.containment is not None
    st.close()
    with sqlite3.connect(path) as db:
        keys = {(k, s) for k, s in db.execute(
            "SELECT key, story FROM bands UNION SELECT key, story FROM recent")}
        assert db.execute("SELECT value FROM meta WHERE key = 'layout'").fetchone() is not None
        assert db.execute("SELECT count FROM bandfilter").fetchone()[0] >= 4 * 32
    for url, lead in leads.items():
        story = ids[url]
        opening = similarity.opening_key(lead)
        if url == stories[-1][0]:  # revised: its keys cannot be told apart, they stay
            assert {(k, story) for k in lead} <= keys and (opening, story) not in keys
        else:
            assert not {(k, story) for k in lead} & keys and (opening, story) in keys
