"""The offline mirror of the network: generator, truth, and loopback server.

Modules, one job each:

- ``model``, ``render``, ``seed``: article data, the page markup contract, the seed page.
- ``textgen``, ``timeline``, ``sections``: text, dates and invented section names.
- ``network``: articles 0, 1, 2, ... from (seed, index) and older articles only.
- ``hubs``, ``feeds``, ``static``, ``faults``: home/section/WordPress hubs, RSS, robots and
  fixed pages, fault pages and their routes.
- ``build``: writes ``DIR`` (pages, truth.jsonl, duplicates.json, faults.json, routes.json).
- ``server``: the asyncio HTTP/1.1 server, ``serve_in_thread`` and ``serve_process``.
- ``injected``, ``hostile``: the ``--faults RATE`` and ``--hostile`` build options.
- ``cli``: ``mirror build DIR [--articles N] [--seed S] [--grow] [--faults R] [--hostile]``
  and ``mirror serve``.
"""
