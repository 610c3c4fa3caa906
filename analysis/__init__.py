"""Diagnoza's computation: data, indicators, peer groups, comparisons and narrative.

Everything a report shows is computed here, in pure functions that take and return
DataFrames or small typed objects. Notebooks only call this package and present.
"""

__version__ = "0.1.0"
