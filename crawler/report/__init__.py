"""The run report: one static HTML page of a job's run history (``python -m crawler report``).

- :mod:`crawler.report.history`: run folders -> rows (status, counts, problems, coverage, files)
- :mod:`crawler.report.charts`: inline SVG line and bar charts
- :mod:`crawler.report.page`: the page (inline styles, charts, a small script; nothing fetched)
- :mod:`crawler.report.cli`: the command line and :func:`write_report`
"""
