"""Command line: ``python -m crawler demo | crawl | export | extract | reextract | report |
mirror``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _extract(args: argparse.Namespace) -> int:
    from crawler.pages import extract_from_bytes

    source: str = args.source
    if source.startswith(("http://", "https://")):
        import urllib.request

        req = urllib.request.Request(source, headers={"User-Agent": "smn-crawler (extract)"})
        with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 (explicit user URL)
            body = resp.read()
            headers = {k: v for k, v in resp.headers.items()}
    else:
        path = Path(source)
        if not path.is_file():
            print(f"extract: no such file: {source}", file=sys.stderr)
            return 2
        body, headers = path.read_bytes(), {}
    url = args.url or (source if "://" in source else f"file://{Path(source).resolve()}")
    article = extract_from_bytes(body, url, headers)
    if article is None:
        print("extract: not an article page", file=sys.stderr)
        return 1
    print(json.dumps(article.to_dict(), ensure_ascii=False, indent=2))
    return 0


def crawl_refusal(args: argparse.Namespace) -> str | None:
    """Why a scheduled run cannot start with these arguments (one line), or None."""
    from crawler.extras import MissingExtra, require
    from crawler.navigation.spider import site_domains

    try:
        site_domains(args.sites)
        if args.redis:
            require("redis", "--redis (distributed crawling)")
    except (ValueError, MissingExtra) as exc:
        return str(exc)
    return None


def _crawl(args: argparse.Namespace) -> int:
    from crawler.runs.scheduled import RunOptions, run

    problem = crawl_refusal(args)
    if problem:  # before the lock, the run folder or any request
        print(f"crawl: {problem}", file=sys.stderr)
        return 2

    settings = {}
    for item in args.set or []:
        key, sep, value = item.partition("=")
        if not sep:
            print(f"crawl: -s takes KEY=VALUE, not {item!r}", file=sys.stderr)
            return 2
        settings[key] = value
    if args.until and not args.since:
        print("crawl: --until needs --since (a backfill window starts somewhere)",
              file=sys.stderr)
        return 2
    if args.since:
        from crawler.navigation.backfill import Window

        try:
            Window.parse(args.since, args.until)
        except ValueError as exc:
            print(f"crawl: {exc}", file=sys.stderr)
            return 2
        if args.redis:
            print("crawl: a backfill walks each section in order on one machine: "
                  "--since does not go with --redis", file=sys.stderr)
            return 2
    opts = RunOptions(Path(args.output), args.sites, args.mirror, args.redis, args.job, settings,
                      args.since, args.until)
    return run(opts)


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "mirror":
        from crawler.mirror.cli import main as mirror_main

        return mirror_main(argv[1:])
    if argv and argv[0] == "reextract":
        from crawler.capture.reextract import main as reextract_main

        return reextract_main(argv[1:])
    if argv and argv[0] == "export":
        from crawler.export.cli import main as export_main

        return export_main(argv[1:])
    if argv and argv[0] == "report":
        from crawler.report.cli import main as report_main

        return report_main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m crawler", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("extract", help="print the record of one page as JSON")
    p.add_argument("source", help="a saved page (file) or an address to fetch")
    p.add_argument("--url", help="the page's live address (for a saved file)")
    p.set_defaults(func=_extract)
    p = sub.add_parser("crawl", help="one scheduled run: incremental, resumable, locked")
    p.add_argument("--sites", help="comma-separated domains (default: the whole network)")
    p.add_argument("--mirror", help="base address of a mirror to crawl instead of the live sites")
    p.add_argument("--output", default="output", help="output folder (default: output)")
    p.add_argument("--redis", help="redis://host:port/db: join a distributed crawl")
    p.add_argument("--job", help="distributed job name shared by the workers "
                                 "(default: smn-<UTC date and hour>)")
    p.add_argument("--since", metavar="YYYY-MM-DD",
                   help="backfill: collect the stories published from this day on, walking "
                        "every section's pages back to it")
    p.add_argument("--until", metavar="YYYY-MM-DD",
                   help="backfill: the last day of the window (default: today)")
    p.add_argument("-s", "--set", action="append", metavar="KEY=VALUE",
                   help="a Scrapy setting, e.g. -s SMN_POLITE=False")
    p.set_defaults(func=_crawl)
    p = sub.add_parser("demo", help="build a mirror, crawl it completely, print a summary")
    p.add_argument("--articles", type=int, default=1000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--output", default="output")
    p.set_defaults(func=lambda a: __import__("crawler.demo", fromlist=["run"]).run(a))
    sub.add_parser("mirror", help="build or serve the offline mirror (see: mirror --help)")
    sub.add_parser("export", help="turn runs into one dataset (see: export --help)")
    sub.add_parser("reextract", help="extract captured pages of past runs again, no network "
                                     "(see: reextract --help)")
    sub.add_parser("report", help="one HTML page of the run history (see: report --help)")
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
