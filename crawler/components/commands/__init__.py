"""Scrapy commands of the project (``COMMANDS_MODULE``): ``scrapy crawl`` that says what is
wrong with its arguments in one line instead of a traceback."""
