"""The store, declared: the reads every reader uses, and what a store version can do.

Two kinds stand behind the facade: the local pyoxigraph cache of the graph files
(``kg.store.local.GraphStore``) and any SPARQL 1.1 endpoint (``kg.store.remote``). Every
reader (the query engine, describe, history, stats, export, the SHACL engine, the pages)
is written against ``Reads``; what differs between the kinds is said by ``Capabilities``,
never by asking which class a store is. A command a store cannot serve is refused with
``refuse`` (a ``UsageError`` that names the store and what to do), so an endpoint never
silently reads the local files instead.

    >>> LOCAL.writable, REMOTE.writable
    (True, False)
    >>> LOCAL.versioned and not REMOTE.versioned
    True
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import pyoxigraph as ox

from kg.errors import UsageError


@dataclass(frozen=True)
class Capabilities:
    """What a store version can do beyond the reads."""

    #: new facts can be checked against it and merged (kg add, kg amend, the review page)
    writable: bool
    #: it has a content key that changes whenever its statements do: answers can be cached
    #: per version, and a page can say ETag
    versioned: bool
    #: it can give an inference version (RDFS, OWL RL closure in kgg:inferred)
    inference: bool
    #: it can give the graph as it stood on a past day (--as-of)
    as_of: bool


LOCAL = Capabilities(writable=True, versioned=True, inference=True, as_of=True)
# An endpoint holds what `kg push` sent (every file's graph, superseded statements and
# their records included), so history and the current view read the same there; it is
# not ours to write, it changes without telling us, and it cannot run our reasoner.
REMOTE = Capabilities(writable=False, versioned=False, inference=False, as_of=False)


@runtime_checkable
class Reads(Protocol):
    """The part of ``pyoxigraph.Store`` the readers use; an endpoint answers it over HTTP.

    Declared so that ``pyoxigraph.Store`` is one (for a type checker too): the parameters
    are as loose as the store's and no looser, and the answers are ``Any`` because an
    endpoint's are look-alikes of pyoxigraph's (not its classes: no isinstance on them).
    """

    def query(
        self,
        query: str,
        *,
        prefixes: Any = None,
        default_graph: Any = None,  # a graph name or a list of them
        named_graphs: list[Any] | None = None,
        use_default_graph_as_union: bool = False,
    ) -> Any: ...

    def quads_for_pattern(self, subject: Any, predicate: Any, object: Any, graph_name: Any = None) -> Iterator[Any]: ...

    def named_graphs(self) -> Iterator[Any]: ...

    def __len__(self) -> int: ...


class StoreVersion(Protocol):
    """What ``Graph.store()`` gives: the reads, the version's key and what it can do."""

    store: Any  # a Reads: pyoxigraph.Store locally, RemoteStore for an endpoint
    key: str
    inference: str
    capabilities: Capabilities

    @property
    def endpoint(self) -> str | None: ...

    @property
    def graphs(self) -> list[Any]: ...

    @property
    def persistent(self) -> bool: ...

    def begin(self) -> Any: ...


def where(version: StoreVersion) -> str:
    """How a person names the store a version reads from."""
    return f"the endpoint {version.endpoint}" if version.endpoint else "the local store"


def refuse(what: str, version: StoreVersion | None = None, *, endpoint: str | None = None, hint: str | None = None) -> UsageError:
    """The error for a command ``what`` that the store cannot serve."""
    place = f"the endpoint {endpoint}" if endpoint else (where(version) if version is not None else "this store")
    return UsageError(
        f"{what} needs the local store: {place} cannot give it",
        hint=hint or "run without --endpoint (unset KG_ENDPOINT) on a checkout of the graph, then `kg push` to update the endpoint",
    )


def solutions(answer: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> ox.QuerySolutions:
    """The answer of ``pyoxigraph.Store.query`` to a SELECT query, as what it is: the
    method is typed as returning any of its three kinds of answer."""
    if not isinstance(answer, ox.QuerySolutions):
        raise TypeError(f"a SELECT query was expected to give solutions, not {type(answer).__name__}")
    return answer
