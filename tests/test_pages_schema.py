"""Every record the extractor produces validates against the shared schema."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest

from tests.test_pages import CASES, extracted

SCHEMA = json.loads(
    (resources.files("crawler") / "schema" / "article.schema.json").read_text("utf-8")
)
ARTICLE_CASES = [c for c in CASES if extracted(c) is not None]


def test_some_cases_are_articles() -> None:
    assert len(ARTICLE_CASES) >= 15


@pytest.mark.parametrize("case", ARTICLE_CASES)
def test_record_validates(case: str) -> None:
    article = extracted(case)
    assert article is not None
    jsonschema.validate(article.to_dict(), SCHEMA, cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize("case", ARTICLE_CASES)
def test_crawled_at_is_utc_seconds(case: str) -> None:
    from datetime import datetime

    article = extracted(case)
    assert article is not None
    assert datetime.strptime(article.crawled_at, "%Y-%m-%dT%H:%M:%SZ")
