"""The article schema (``article.schema.json``, a copy of the shared contract) and the checks
against it, shared by the validate pipeline and the export.

:func:`is_valid` is the fast check: the schema compiled into plain Python checks by
:func:`compile_schema` (``jsonschema`` takes about 0.4 ms a record, minutes for a million). The
article schema uses a small set of keywords (type, const, enum, pattern, minLength, minimum,
required, properties, items, additionalProperties: true); :func:`compile_schema` refuses a schema
with any other keyword, so a schema change cannot be silently ignored. ``jsonschema`` stays the
reference: it gives the reasons of a record that fails (:func:`validation_errors`), and the
tests check that both agree on crawled records and on broken ones.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

SCHEMA_FILE = "schema/article.schema.json"
"""The schema's place in the package (package data)."""


@cache
def load_schema() -> dict[str, Any]:
    """The article schema, read once from the package."""
    text = resources.files("crawler").joinpath(SCHEMA_FILE).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


Check = Callable[[Any], bool]

SUPPORTED = frozenset({
    "$schema", "$id", "title", "description", "type", "const", "enum", "pattern", "minLength",
    "minimum", "required", "properties", "items", "additionalProperties",
})
_TYPES: dict[str, Check] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def compile_schema(schema: Mapping[str, Any]) -> Check:
    """A function telling whether a value is valid against ``schema``.

    >>> check = compile_schema({"type": ["string", "null"], "pattern": "^[0-9]{4}-"})
    >>> check("2024-05-31"), check(None), check("May 2024"), check(3)
    (True, True, False, False)
    >>> compile_schema({"type": "integer", "minimum": 1})(0)
    False
    >>> compile_schema({"oneOf": []})
    Traceback (most recent call last):
    ...
    ValueError: schema keyword not supported by the fast check: oneOf
    """
    unknown = set(schema) - SUPPORTED
    if unknown:
        names = ", ".join(sorted(unknown))
        raise ValueError(f"schema keyword not supported by the fast check: {names}")
    if schema.get("additionalProperties", True) is not True:
        raise ValueError("schema keyword not supported by the fast check: additionalProperties")
    checks: list[Check] = []
    if "type" in schema:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        tests = [_TYPES[k] for k in kinds]
        checks.append(tests[0] if len(tests) == 1 else lambda v: any(t(v) for t in tests))
    if "const" in schema:
        const = schema["const"]
        checks.append(lambda v: v == const and type(v) is type(const))
    if "enum" in schema:
        options = list(schema["enum"])
        checks.append(lambda v: v in options)
    if "pattern" in schema:
        search = re.compile(schema["pattern"]).search
        checks.append(lambda v: not isinstance(v, str) or bool(search(v)))
    if "minLength" in schema:
        least = schema["minLength"]
        checks.append(lambda v: not isinstance(v, str) or len(v) >= least)
    if "minimum" in schema:
        low = schema["minimum"]
        checks.append(lambda v: not _TYPES["number"](v) or v >= low)
    if "required" in schema:
        required = list(schema["required"])
        checks.append(lambda v: not isinstance(v, dict) or all(k in v for k in required))
    if "properties" in schema:
        props = tuple((k, compile_schema(s)) for k, s in schema["properties"].items())

        def properties(v: Any) -> bool:
            if isinstance(v, dict):
                for k, c in props:
                    if k in v and not c(v[k]):
                        return False
            return True

        checks.append(properties)
    if "items" in schema:
        item = compile_schema(schema["items"])
        checks.append(lambda v: not isinstance(v, list) or all(item(x) for x in v))
    if len(checks) == 1:  # most properties: one check, called as it is (a record: ~50 calls)
        return checks[0]
    return lambda v: all(c(v) for c in checks)


@cache
def _compiled() -> Check:
    return compile_schema(load_schema())


def is_valid(record: Any) -> bool:
    """True when a record is valid under the article schema (the fast check).

    >>> is_valid({"title": ""})
    False
    """
    return _compiled()(record)


@cache
def article_validator() -> Draft202012Validator:
    """The compiled ``jsonschema`` validator of the article schema (built once)."""
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def validation_errors(record: dict[str, Any]) -> list[ValidationError]:
    """Schema errors of a record, in field order (empty when it is valid)."""
    errors = article_validator().iter_errors(record)
    return sorted(errors, key=lambda e: [str(p) for p in e.absolute_path])


def reason_slug(error: ValidationError) -> str:
    """A short stat-friendly name for a validation error: the top-level field it concerns.

    >>> from jsonschema import Draft202012Validator as V
    >>> reason_slug(next(V({"properties": {"title": {"minLength": 1}}}).iter_errors({"title": ""})))
    'title'
    >>> reason_slug(next(V({"required": ["body"]}).iter_errors({})))
    'body'
    >>> reason_slug(next(V({"type": "object"}).iter_errors([])))
    'schema'
    """
    path = list(error.absolute_path)
    field: Any = path[0] if path else None
    if field is None and error.validator == "required":
        missing = [p for p in error.validator_value if p not in (error.instance or {})]
        field = missing[0] if len(missing) == 1 else None
    if not isinstance(field, str):
        return "schema"
    return re.sub(r"[^a-z0-9_]+", "_", field.lower()).strip("_") or "schema"


def describe(error: ValidationError) -> str:
    """One line for the rejects file: where and what.

    >>> from jsonschema import Draft202012Validator as V
    >>> describe(next(V({"required": ["a"]}).iter_errors({})))
    "$: 'a' is a required property"
    >>> describe(next(V({"items": {"required": ["url"]}}).iter_errors([{}, {}])))
    "$[0]: 'url' is a required property"
    """
    where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
    return f"{where}: {message}"
