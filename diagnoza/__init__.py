"""Diagnoza's pipeline: run the report notebook per town, render HTML and PDF, publish an index."""

__version__ = "0.1.0"
