"""Command line of the mirror: ``mirror build DIR`` and ``mirror serve [DIR | --warc DIR]``.

``main(argv)`` takes the arguments *after* the word 'mirror'::

    main(["build", "DIR", "--articles", "300", "--seed", "1"])
    main(["build", "DIR", "--articles", "600", "--grow"])   # keep every existing article page
    main(["build", "DIR", "--articles", "900", "--grow", "--revise"])  # edit and remove a few
    main(["serve", "DIR", "--port", "0"])                     # prints 'mirror: http://127.0.0.1:P'
    main(["serve", "--articles", "300", "--seed", "1"])      # builds a temporary mirror first
    main(["serve", "--warc", "output/runs", "--port", "0"])   # the pages captured by past runs
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import tempfile
import time
from pathlib import Path

from crawler.mirror.build import MAX_ARTICLES, MIN_ARTICLES, build, grown_seed
from crawler.mirror.server import (
    READY_PREFIX,
    Mirror,
    Served,
    bound_port,
    cancel_pending,
    start,
)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="mirror", description="The offline mirror of the network.")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="generate the mirror into DIR")
    b.add_argument("dir", type=Path)
    b.add_argument("--articles", type=int, default=300,
                   help=f"number of articles, {MIN_ARTICLES}..{MAX_ARTICLES} (default 300)")
    b.add_argument("--seed", type=int, default=None, help="generator seed (default 1)")
    b.add_argument("--grow", action="store_true",
                   help="grow the mirror already in DIR: existing article pages stay identical")
    b.add_argument("--faults", type=float, default=0.0, metavar="RATE",
                   help="put a fault of a random kind on this share of article pages, e.g. 0.2 "
                        "(recorded in faults.json; default 0: none)")
    b.add_argument("--hostile", action="store_true",
                   help="add hostile pages: links and redirects to loopback/private hosts and "
                        "other schemes, an XXE feed, a gzip bomb, path-like titles")
    b.add_argument("--revise", action="store_true",
                   help="with --grow: edit some recent articles (a paragraph added, a headline "
                        "changed) and remove a few; revisions.json says which")
    b.add_argument("--rate-limit", metavar="HOST[,HOST]", default="",
                   help="hosts that answer 429/503 with Retry-After for a while, on a known "
                        "schedule (recorded in faults.json), e.g. www.spacedaily.com")
    s = sub.add_parser("serve", help="serve a mirror over loopback")
    s.add_argument("dir", type=Path, nargs="?", help="a built mirror (else build a temporary one)")
    s.add_argument("--articles", type=int, default=300)
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--port", type=int, default=8080, help="0 picks a free port (default 8080)")
    s.add_argument("--warc", type=Path, metavar="DIR",
                   help="serve the pages captured in WARC files instead: a run folder, a runs "
                        "or output folder, or a folder of .warc.gz files")
    s.add_argument("--slow", type=float, default=None,
                   help="delay of the slow fault page in seconds (default $MIRROR_SLOW_SECONDS "
                        "or 30)")
    return p


def _build(args: argparse.Namespace) -> int:
    seed = args.seed
    if args.grow and seed is None:
        seed = grown_seed(args.dir)
    seed = 1 if seed is None else seed
    started = time.perf_counter()
    try:
        meta = build(args.dir, args.articles, seed, grow=args.grow,
                     fault_rate=args.faults, hostile=args.hostile,
                     rate_limit=[h.strip() for h in args.rate_limit.split(",") if h.strip()],
                     revise=args.revise)
    except ValueError as exc:
        print(f"mirror: {exc}", file=sys.stderr)
        return 2
    took = time.perf_counter() - started
    print(f"mirror: {meta['articles']} articles (seed {meta['seed']}) in {args.dir} "
          f"in {took:.1f} s", file=sys.stderr)
    return 0


async def _serve(mirror: Served, port: int) -> None:
    server = await start(mirror, port)
    print(f"{READY_PREFIX}http://127.0.0.1:{bound_port(server)}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()
    await cancel_pending()


def _serve_warc(args: argparse.Namespace) -> int:
    from crawler.mirror.replay import WarcMirror

    if args.dir is not None:
        print("mirror: give either a mirror folder or --warc, not both", file=sys.stderr)
        return 2
    try:
        replay = WarcMirror([args.warc])
    except FileNotFoundError as exc:
        print(f"mirror: {exc}", file=sys.stderr)
        return 2
    print(f"mirror: {len(replay.captures)} captured pages from {args.warc}", file=sys.stderr)
    asyncio.run(_serve(replay, args.port))
    return 0


def _serve_cmd(args: argparse.Namespace) -> int:
    if args.warc is not None:
        return _serve_warc(args)
    with tempfile.TemporaryDirectory(prefix="smn-mirror-") as tmp:
        root = args.dir
        if root is None:
            root = Path(tmp)
            build(root, args.articles, args.seed)
        try:
            mirror = Mirror(root, args.slow)
        except FileNotFoundError as exc:
            print(f"mirror: {exc}", file=sys.stderr)
            return 2
        asyncio.run(_serve(mirror, args.port))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``mirror build|serve``; returns the exit status."""
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    if args.command == "build":
        return _build(args)
    return _serve_cmd(args)


if __name__ == "__main__":
    sys.exit(main())
