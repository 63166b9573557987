"""Optional features and the pip extra that brings each: one clear line when one is missing."""

from __future__ import annotations

import importlib

EXTRAS: dict[str, tuple[str, ...]] = {
    "redis": ("redis", "scrapy_redis"),
    "parquet": ("pyarrow", "pyarrow.parquet"),
}
"""Each extra of the package (pyproject's optional-dependencies) and the modules it provides."""


class MissingExtra(Exception):
    """A feature was asked for whose extra is not installed; the message says what to run."""


def require(extra: str, feature: str) -> None:
    """Raise MissingExtra unless every module of ``extra`` imports.

    >>> require("parquet", "Parquet output") is None
    True
    >>> EXTRAS["nothing"] = ("no_such_module_here",)
    >>> require("nothing", "Nothing")
    Traceback (most recent call last):
    ...
    crawler.extras.MissingExtra: Nothing needs the 'nothing' extra, not installed: \
pip install 'smn-crawler[nothing]' (no module named no_such_module_here)
    >>> del EXTRAS["nothing"]
    """
    for module in EXTRAS[extra]:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise MissingExtra(
                f"{feature} needs the '{extra}' extra, not installed: "
                f"pip install 'smn-crawler[{extra}]' (no module named {exc.name or module})"
            ) from None
