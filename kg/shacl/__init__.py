"""SHACL: the shapes compiled to whole-graph SPARQL (shapes.py) and the report a person reads (report.py)."""
