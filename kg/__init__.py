"""The knowledge graph of regional legal and judicial cooperation: Python API.

    >>> import kg
    >>> g = kg.open()                                    # the bundled graph, or kg.open("dir/")
    >>> rows = g.query("delegations-at-meeting", event="kgi:eco-apg-meeting-4")
    >>> rows.to_dicts(plain=True)[0]["participantLabel"]  # or rows.to_dataframe()
    'Azerbaijan'
    >>> len(g.sparql("SELECT * WHERE { ?s a kg:State }", timeout=10))
    15
    >>> g.validate().passes, g.describe("Tajikistan").label  # passes: no violation
    (True, 'Tajikistan')

``kg.Graph`` (``kg/graph.py``) is the one object every face uses; the store under it is
``kg/store.py``. Modules load on first use, so ``kg --help`` imports neither rdflib nor
pyshacl.
"""

from __future__ import annotations

from kg.errors import (
    InputError,
    KgError,
    LimitExceeded,
    QueryError,
    RemoteError,
    UsageError,
)

_LAZY = {
    "open": "kg.graph",
    "Graph": "kg.graph",
    "Result": "kg.sparql.results",
    "QueryCatalog": "kg.sparql.catalog",
    "StoredQuery": "kg.sparql.catalog",
    "Layout": "kg.layout",
    "find_layout": "kg.layout",
    "load_dataset": "kg.reference.load",  # the rdflib Dataset the reference oracles read
}


def __getattr__(name: str) -> object:
    if name == "__version__":
        # importlib.metadata costs 35 ms of every command: only `kg -V` needs it
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("jckg")
        except PackageNotFoundError:  # running from a checkout that was not installed
            return "0+unknown"
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")


__all__ = [
    "Graph",
    "InputError",
    "KgError",
    "Layout",
    "LimitExceeded",
    "QueryCatalog",
    "QueryError",
    "RemoteError",
    "Result",
    "StoredQuery",
    "UsageError",
    "__version__",
    "find_layout",
    "load_dataset",
    "open",
]
