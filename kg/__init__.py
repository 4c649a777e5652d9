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

from kg.engine import Engine
from kg.errors import InputError, KgError, QueryError, UsageError
from kg.queries import QueryCatalog, StoredQuery
from kg.store import Layout, find_layout, load_dataset


def validate_dataset(*args, **kwargs):  # type: ignore[no-untyped-def]
    """See ``kg.validate.validate_dataset`` (imported lazily: it loads pyshacl)."""
    from kg.validate import validate_dataset as run

    return run(*args, **kwargs)


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
