"""Shim for scrapyd-deploy, which builds the egg through setup.py; metadata is in pyproject."""

from setuptools import setup

setup()
