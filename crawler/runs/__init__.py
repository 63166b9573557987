"""One scheduled run: incremental, resumable, locked, accounted for.

Modules, one job each:

- ``folder``: a run folder described once (its files, its manifest, what "finished" means).
- ``lock``: one run of a job at a time.
- ``scheduled``: one run, start to end (``python -m crawler crawl``) and its exit status.
- ``manifest``: the run's account (counts, coverage per site) and its summary lines.
- ``monitors``: the checks that turn an account into problems and an exit status.
- ``status``: what each exit status means and what an operator does about it.
- ``log``: the run's ``crawl.log``.
- ``metrics``: the job's Prometheus text file (node_exporter's textfile collector).
"""
