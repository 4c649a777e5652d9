"""Errors the API raises and the exit codes the CLI maps them to.

Plain exceptions (no click import) so that notebooks and servers can catch them. Every
message says what is wrong and what to do; ``location`` is ``file:line:col`` when known.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable

#: Exit codes, documented in the README.
EXIT_OK = 0
EXIT_PROBLEMS = 1  # ran correctly and found problems (violations)
EXIT_USAGE = 2  # bad command line: unknown query, missing or ill-typed parameter
EXIT_INPUT = 3  # bad input: a file that does not parse, a malformed query header
EXIT_INTERNAL = 4  # a bug or an environment failure (disk full, read-only directory)
EXIT_LIMIT = 5  # a query was stopped by its time or result-size limit
EXIT_REMOTE = 6  # a SPARQL endpoint or graph store did not answer, refused, or answered nonsense
EXIT_INTERRUPTED = 130  # stopped by Ctrl-C (SIGINT), as shells report it; the query's worker with it

#: Default time limit of the command line, in seconds (``--timeout``, ``KG_TIMEOUT``; 0: none):
#: past it a query raises ``QueryTimeout`` (here, so ``kg --help`` shows it without the engine).
DEFAULT_TIMEOUT = 300.0
#: Default result-size limit of the command line, in rows or statements (``--max-rows``).
DEFAULT_MAX_ROWS = 1_000_000


class KgError(Exception):
    """Base class: ``str(err)`` is a one-line message fit for a terminal."""

    exit_code = EXIT_INTERNAL

    def __init__(self, message: str, *, location: str | None = None, hint: str | None = None,
                 web_hint: str | None = None) -> None:
        self.message = message
        self.location = location
        self.hint = hint
        # ``hint`` is told in the command line's terms (an option, a command); a person at a
        # web page cannot pass an option, so the web shows ``web_hint`` (``kg.web.http.problem_of``)
        self.web_hint = web_hint
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        if self.hint:
            text += f" ({self.hint})"
        return text

    def __reduce__(self) -> tuple[Callable[..., KgError], tuple[object, ...]]:
        # errors cross process boundaries (the query worker): keep location and hint
        return (_rebuild, (type(self), self.message, self.location, self.hint, self.web_hint))


def _rebuild(cls: type[KgError], message: str, location: str | None, hint: str | None, web_hint: str | None = None) -> KgError:
    return cls(message, location=location, hint=hint, web_hint=web_hint)


class UsageError(KgError):
    """The command or API call was used wrongly: unknown name, missing parameter."""

    exit_code = EXIT_USAGE


class InputError(KgError):
    """A file or query text is malformed: it does not parse, is not UTF-8, breaks a rule."""

    exit_code = EXIT_INPUT


class QueryError(InputError):
    """SPARQL that does not parse, an update, or a stored query with a malformed header."""


class NetworkRefused(UsageError):
    """The query or data would fetch a URL and the user did not allow network access."""


class WriteError(KgError):
    """Writing failed (disk full, read-only directory); nothing was changed."""

    exit_code = EXIT_INTERNAL


class LimitExceeded(KgError):
    """A query ran past its time limit or its result-size limit and was stopped."""

    exit_code = EXIT_LIMIT


class RemoteError(KgError):
    """A SPARQL endpoint or graph store (``--endpoint``, ``kg push``) did not answer, answered
    an HTTP error, or sent something that is not SPARQL results or RDF. The message names
    the URL, the status and the first line of what the server said."""

    exit_code = EXIT_REMOTE


class QueryTimeout(LimitExceeded):
    pass


class ResultTooLarge(LimitExceeded):
    pass


def portable(exc: BaseException) -> BaseException:
    """The exception itself if it survives pickling (a worker sends it to its parent), else a
    QueryError saying what it was."""
    if isinstance(exc, KgError):
        try:
            pickle.loads(pickle.dumps(exc))
            return exc
        except Exception:
            pass
    if isinstance(exc, (SyntaxError, ValueError, TypeError, OSError, MemoryError, RuntimeError)):
        try:
            pickle.loads(pickle.dumps(exc))
            return exc
        except Exception:
            pass
    return QueryError(f"{type(exc).__name__}: {exc}")
