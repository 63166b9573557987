"""Spiders of the SMN crawler."""
