"""The knowledge graph of regional legal and judicial cooperation: Python API.

    >>> import kg
    >>> ds = kg.load_dataset()                        # files -> one named graph per file
    >>> result = kg.Engine(ds).query("SELECT * WHERE { ?s a kg:State }")
    >>> report = kg.validate_dataset(ds, kg.find_layout())

Heavy modules (pyshacl, owlrl) load only when validation or reasoning runs.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("jckg")
except PackageNotFoundError:  # running from a checkout that was not installed
    __version__ = "0+unknown"

from kg.errors import InputError, KgError, QueryError, UsageError

# The API is imported on first use, so `kg --help` does not pay for rdflib.
_LAZY = {
    "Engine": "kg.engine",
    "QueryCatalog": "kg.queries",
    "StoredQuery": "kg.queries",
    "Layout": "kg.store",
    "find_layout": "kg.store",
    "load_dataset": "kg.store",
    "validate_dataset": "kg.validate",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")


__all__ = [
    "Engine",
    "InputError",
    "KgError",
    "Layout",
    "QueryCatalog",
    "QueryError",
    "StoredQuery",
    "UsageError",
    "__version__",
    "find_layout",
    "load_dataset",
    "validate_dataset",
]
