"""The dataset files: ``dataset.jsonl.gz`` always, ``dataset.csv`` and ``dataset.parquet`` on
request. Each is written to a temporary name and renamed when complete; bytes depend on the
records only (gzip without name or time, no timestamps in Parquet)."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, Protocol

FORMATS = ("jsonl", "csv", "parquet")
FILE_NAMES = {"jsonl": "dataset.jsonl.gz", "csv": "dataset.csv", "parquet": "dataset.parquet"}
ALTERNATE_URLS_DESCRIPTION = (
    "The story's other addresses: syndicated copies on other sites and other addresses of the "
    "same page, sorted. Added by the export; empty when the story was seen at one address."
)


def ordered(record: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    """The record with the schema's fields first, in schema order, then any others by name.

    >>> ordered({"b": 1, "z": 2, "a": 3}, ["a", "b"])
    {'a': 3, 'b': 1, 'z': 2}
    """
    out = {name: record[name] for name in fields if name in record}
    out.update((k, record[k]) for k in sorted(record) if k not in out)
    return out


def json_line(record: dict[str, Any]) -> str:
    """One record as one JSON line (UTF-8 text, keys as given).

    >>> json_line({"title": "Caf\\u00e9", "authors": []})
    '{"title": "Café", "authors": []}\\n'
    """
    return json.dumps(record, ensure_ascii=False) + "\n"


def csv_value(value: Any) -> str | int:
    """A value as one CSV cell: lists and objects as JSON text, null as empty.

    >>> csv_value(["Issam Ahmed"]), csv_value(None), csv_value(42)
    ('["Issam Ahmed"]', '', 42)
    """
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value if isinstance(value, int) else str(value)


class Writer(Protocol):
    """One dataset file."""

    path: Path

    def write(self, record: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


def _tmp(path: Path) -> Path:
    return path.with_name(path.name + ".part")


class JsonlGzWriter:
    """``dataset.jsonl.gz``: gzip with mtime 0 and no file name, level 6."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._raw = _tmp(path).open("wb")
        self._gz = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0,
                                 compresslevel=6)
        self._text = io.TextIOWrapper(self._gz, encoding="utf-8", newline="\n")

    def write(self, record: dict[str, Any]) -> None:
        """Append one record."""
        self._text.write(json_line(record))

    def close(self) -> None:
        """Finish the file and give it its name."""
        self._text.close()
        self._raw.close()
        os.replace(_tmp(self.path), self.path)


class CsvWriter:
    """``dataset.csv``: a header of the columns, lists and objects as JSON text."""

    def __init__(self, path: Path, columns: Sequence[str]) -> None:
        self.path = path
        self.columns = list(columns)
        self._fh: IO[str] = _tmp(path).open("w", encoding="utf-8", newline="")
        self._csv = csv.writer(self._fh, lineterminator="\n")
        self._csv.writerow(self.columns)

    def write(self, record: dict[str, Any]) -> None:
        """Append one record (columns outside the list are not written)."""
        self._csv.writerow([csv_value(record.get(c)) for c in self.columns])

    def close(self) -> None:
        """Finish the file and give it its name."""
        self._fh.close()
        os.replace(_tmp(self.path), self.path)


class ParquetWriter:
    """``dataset.parquet``: typed columns (lists as lists), written in row groups of
    ``batch`` records so memory stays bounded."""

    def __init__(self, path: Path, columns: Sequence[str], batch: int = 10_000) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.path = path
        self.columns = list(columns)
        self.batch = batch
        self._pa = pa
        link = pa.struct([("url", pa.string()), ("title", pa.string())])
        article = pa.struct([("url", pa.string()), ("title", pa.string()),
                             ("section", pa.string())])
        types = {"word_count": pa.int64(), "schema_version": pa.int64(), "revision": pa.int64(),
                 "authors": pa.list_(pa.string()), "alternate_urls": pa.list_(pa.string()),
                 "appended_datelines": pa.list_(pa.string()),
                 "related_links": pa.list_(link), "related_articles": pa.list_(article)}
        self.schema = pa.schema([(c, types.get(c, pa.string())) for c in self.columns])
        self._rows: list[dict[str, Any]] = []
        self._writer = pq.ParquetWriter(str(_tmp(path)), self.schema, compression="zstd",
                                        store_schema=False)

    def write(self, record: dict[str, Any]) -> None:
        """Append one record."""
        self._rows.append({c: record.get(c) for c in self.columns})
        if len(self._rows) >= self.batch:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            table = self._pa.Table.from_pylist(self._rows, schema=self.schema)
            self._writer.write_table(table)
            self._rows.clear()

    def close(self) -> None:
        """Write the last row group, finish the file and give it its name."""
        self._flush()
        self._writer.close()
        os.replace(_tmp(self.path), self.path)


def open_writers(out: Path, formats: Sequence[str], columns: Sequence[str]) -> list[Writer]:
    """The writers of the formats asked for; the JSON Lines file is always written."""
    writers: list[Writer] = [JsonlGzWriter(out / FILE_NAMES["jsonl"])]
    if "csv" in formats:
        writers.append(CsvWriter(out / FILE_NAMES["csv"], columns))
    if "parquet" in formats:
        writers.append(ParquetWriter(out / FILE_NAMES["parquet"], columns))
    return writers
