"""What each exit status of a scheduled run means, and what an operator does about it.

One table read by the run itself, the metrics (``status`` label), the run report and the
README's operators' section.
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_NOTHING = 3
EXIT_MONITOR = 4
EXIT_LOCKED = 75  # EX_TEMPFAIL: try again later


@dataclass(frozen=True)
class ExitStatus:
    """One exit status of ``python -m crawler crawl``."""

    code: int
    """The process exit status."""
    name: str
    """Short name: the ``status`` label of the metrics, the report's status column."""
    meaning: str
    """What happened."""
    action: str
    """What the operator does about it."""


EXIT_STATUSES: tuple[ExitStatus, ...] = (
    ExitStatus(EXIT_OK, "ok", "the run went well", "nothing"),
    ExitStatus(EXIT_FAILED, "failed",
               "the crawl crashed or did not finish (killed, stopped, out of memory)",
               "read the run's crawl.log and the manifest's problems; the next run resumes it"),
    ExitStatus(EXIT_USAGE, "usage",
               "bad arguments, or a feature whose extra is not installed",
               "read the one line on stderr; it names the fix"),
    ExitStatus(EXIT_NOTHING, "nothing_found",
               "no response from the network (hubs answered from the HTTP cache for a site "
               "that did not answer count as none), or no article in a first run",
               "check the network (or the mirror) and crawl.log's Failed lines"),
    ExitStatus(EXIT_MONITOR, "monitor",
               "a monitor tripped: a field's coverage on a site fell by more than "
               "SMN_MONITOR_COVERAGE_DROP points (a layout change), or too many requests failed",
               "open the run report: the coverage chart shows which site and field dropped"),
    ExitStatus(EXIT_LOCKED, "locked", "another run of the same job holds the lock",
               "nothing: the run in progress goes on; alert only if this repeats for hours"),
)
"""Every exit status, in numeric order."""

BY_CODE = {status.code: status for status in EXIT_STATUSES}


def status_name(code: int | None) -> str:
    """The short name of an exit status; 'unfinished' for a run that has none yet.

    >>> status_name(0), status_name(4), status_name(None), status_name(9)
    ('ok', 'monitor', 'unfinished', 'exit_9')
    """
    if code is None:
        return "unfinished"
    status = BY_CODE.get(code)
    return status.name if status else f"exit_{code}"
