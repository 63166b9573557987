"""RedisState against a real redis-server: the State protocol, as SqliteState answers it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from scrapy.settings import Settings

from crawler import similarity
from crawler.distributed import Distributed
from crawler.distributed.keys import distributed_settings
from crawler.state import SqliteState, State, open_state
from crawler.state.redis_store import RedisState
from tests.redis_server import RedisServer, redis_server  # noqa: F401  (fixture)

pytestmark = pytest.mark.redis

BODY = " ".join(
    f"NATO chief number {i} on Friday played down the threat of a new arms race in orbit."
    for i in range(12)
)


@pytest.fixture
def state(redis_server: RedisServer, request: pytest.FixtureRequest) -> Iterator[RedisState]:  # noqa: F811
    st = RedisState.from_url(redis_server.url, prefix=f"test:{request.node.name}", owner="w1")
    yield st
    st.close()


def test_is_a_state(state: RedisState) -> None:
    assert isinstance(state, State)


def test_answers_like_sqlite(state: RedisState) -> None:
    sqlite = SqliteState(":memory:")
    edited = BODY + " One more sentence was added by the copy editor at the end."
    for st in (state, sqlite):
        st.add_story("https://www.spacewar.com/reports/A_999.html", "00ff00ff00ff00ff",
                     similarity.minhash(BODY))  # fmt: skip
        st.add_url("https://www.spacedaily.com/reports/A_999.html",
                   "https://www.spacewar.com/reports/A_999.html")  # fmt: skip
    for st in (state, sqlite):
        assert st.seen_url("https://www.spacedaily.com/reports/A_999.html") == (
            "https://www.spacewar.com/reports/A_999.html"
        )
        assert st.seen_url("https://www.spacewar.com/reports/B.html") is None
        assert st.find_fingerprint("00ff00ff00ff00ff") == (
            "https://www.spacewar.com/reports/A_999.html"
        )
        assert st.find_fingerprint("0000000000000001") is None
    sig = similarity.minhash(edited)
    assert state.find_similar(sig) == sqlite.find_similar(sig)
    assert state.find_similar(sig) is not None
    assert state.find_similar(similarity.minhash("an unrelated story about rockets")) is None
    sqlite.close()


def test_add_url_of_unknown_story_is_an_error(state: RedisState) -> None:
    with pytest.raises(KeyError):
        state.add_url("https://a.spacewar.com/x", "https://www.spacewar.com/none.html")


def test_story_owner(state: RedisState) -> None:
    url = "https://www.spacewar.com/index.html"
    state.add_story(url, "ab", similarity.minhash(BODY))
    assert state.story_owner(url) == "w1"
    assert state.counts()["stories"] == 1


def test_shared_between_connections(state: RedisState, redis_server: RedisServer) -> None:  # noqa: F811
    other = RedisState.from_url(redis_server.url, prefix=state.prefix, owner="w2")
    state.add_story("https://www.spacewar.com/a.html", "01", similarity.minhash(BODY))
    assert other.find_fingerprint("01") == "https://www.spacewar.com/a.html"
    other.close()


def test_refuses_other_parameters(state: RedisState, redis_server: RedisServer) -> None:  # noqa: F811
    state.client.hset(state.key("meta"), "num_perm", "64")
    with pytest.raises(ValueError, match="other parameters"):
        RedisState.from_url(redis_server.url, prefix=state.prefix)


def test_open_state_and_addon_follow_redis_url(redis_server: RedisServer) -> None:  # noqa: F811
    settings = Settings({"SMN_STATE_PATH": ":memory:"})
    st = open_state(settings)
    assert isinstance(st, SqliteState)
    st.close()
    Distributed().update_settings(settings)
    assert settings.get("SCHEDULER") == "scrapy.core.scheduler.Scheduler"  # nothing changes
    settings.setdict(distributed_settings(redis_server.url, "job1"), priority="cmdline")
    Distributed().update_settings(settings)
    assert settings["SCHEDULER"] == "crawler.distributed.scheduler.RedisScheduler"
    assert settings["SCHEDULER_QUEUE_KEY"] == "smn:job:job1:requests"
    assert settings.getbool("SCHEDULER_PERSIST")
    assert settings.get("SMN_WORKER_ID")
    st = open_state(settings)
    assert isinstance(st, RedisState)
    st.close()


def test_distributed_settings_wants_a_redis_url() -> None:
    with pytest.raises(ValueError):
        distributed_settings("localhost:6379", "x")


def test_harder_copies_answer_like_sqlite(state: RedisState) -> None:
    """Containment and lead keys: a trimmed copy, a page running a second story after the
    first, a story sharing only a lead; the Redis state decides as the SQLite state does."""
    story = [f"Paragraph {i} of the wire story tells of launch number {i} from the pad."
             for i in range(24)]
    other = [f"Another story, paragraph {i}, covers a treaty signed in city number {i}."
             for i in range(24)]
    sqlite = SqliteState(":memory:")
    for st in (state, sqlite):
        st.add_story("https://www.spacewar.com/reports/A_999.html", "01",
                     similarity.sketch(" ".join(story)))  # fmt: skip
        st.add_story("https://www.spacewar.com/reports/B_999.html", "02",
                     similarity.sketch(" ".join(other)))  # fmt: skip
    trimmed = similarity.sketch(" ".join(story[:12]))
    merged = similarity.sketch(" ".join(story + other[:4]))
    near = similarity.sketch(" ".join(story[:3] + [f"New text {i} about rovers and Mars."
                                                   for i in range(30)]))
    rule = similarity.Rule()
    for sketch in (trimmed, merged, near):
        assert state.similar(sketch, rule) == sqlite.similar(sketch, rule)
    assert [m.url for m in state.similar(trimmed, rule)] == [
        "https://www.spacewar.com/reports/A_999.html"]
    assert [m.url for m in state.similar(merged, rule)] == [
        "https://www.spacewar.com/reports/A_999.html"]
    assert state.similar(near, rule) == []
    assert state.similar(trimmed, rule)[0].containment == 1.0
    sqlite.close()


def test_a_format_1_state_is_migrated(state: RedisState, redis_server: RedisServer) -> None:  # noqa: F811
    meta = state.key("meta")
    state.client.hset(meta, "format", "1")
    state.client.hdel(meta, "lead")
    migrated = RedisState.from_url(redis_server.url, prefix=state.prefix)
    assert migrated.client.hget(meta, "format") == b"2"
    assert migrated.client.hget(meta, "lead") is not None
    migrated.close()



def test_lead_keys_answer_like_sqlite(state: RedisState) -> None:
    """Stories that open alike are candidates, stories sharing one lead key are not: the Redis
    state brings the same candidates as the SQLite state."""
    opening = [f"w{i}" for i in range(40)]
    query = similarity.sketch(" ".join(opening + [f"fresh{i}" for i in range(300)]))
    starts = sorted(i for i in range(37)
                    if similarity.lead_keys(" ".join(opening[i:i + 4]))[0] in query.lead)
    edited = list(opening)
    edited[starts[-1] + 3] = "zzyzx"  # outside the earlier lead shingle: one lead key is left
    sqlite = SqliteState(":memory:")
    for st in (state, sqlite):
        for i in range(10):
            words = opening if i % 2 else edited
            st.add_story(f"https://www.spacewar.com/reports/L{i}_999.html", f"{i:016x}",
                         similarity.sketch(" ".join(words + [f"s{i}x{j}" for j in range(300)])))
    everything = similarity.Rule(jaccard=0.0, containment=0.0)
    found = state.similar(query, everything)
    assert found == sqlite.similar(query, everything)
    assert sorted(m.url for m in found) == [
        f"https://www.spacewar.com/reports/L{i}_999.html" for i in (1, 3, 5, 7, 9)]
    sqlite.close()
