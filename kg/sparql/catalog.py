"""The stored-query catalog: read and check ``queries/*.rq`` and type user parameters.

A stored query is a SPARQL file with a YAML header in ``#+`` comment lines (see
``queries/README.md``). This module reads and checks those files and turns the strings a
user passes as parameters into RDF terms. It never runs a query and never parses SPARQL
with rdflib: parsing every file on each CLI call is slow, and the engine parses the one it
runs. The project's tokenizer (``kg.sparql.tokens``) finds the query form, the projection and the
variables, which is all the header checks need.
"""

from __future__ import annotations

import datetime
import functools
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode

from kg.errors import QueryError, UsageError
from kg.namespaces import PREFIXES, expand_curie
from kg.sparql.tokens import UPDATE_KEYWORDS, Token, query_tokens

Identifier = Literal | NamedNode

_XSD = "http://www.w3.org/2001/XMLSchema#"


def _xsd(local: str) -> NamedNode:
    return NamedNode(_XSD + local)


__all__ = [
    "INFERENCE_MODES",
    "NAME_RE",
    "PARAM_TYPES",
    "Param",
    "QueryCatalog",
    "StoredQuery",
    "is_name",
    "parse_stored_query",
    "to_term",
]

#: A stored query's name: lower-case words joined by '-'; also its file name without .rq.
NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

PARAM_TYPES = ("iri", "string", "integer", "decimal", "boolean", "date", "dateTime")
INFERENCE_MODES = ("none", "rdfs", "owlrl")
QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")

_HEADER_KEYS = ("summary", "description", "tags", "inference", "as-of", "params", "returns", "example")
_PARAM_KEYS = ("type", "description", "default", "enum")

# Parameter names become `-p NAME` on the command line and `?NAME` in SPARQL, so keep them
# to the characters both accept without quoting.
_PARAM_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# Lexical forms, ASCII digits only (\d would accept other scripts' digits).
_INTEGER_RE = re.compile(r"^[+-]?[0-9]+$")
_DECIMAL_RE = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")
_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_DATETIME_RE = re.compile(
    r"^(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})T(?P<time>[0-9]{2}:[0-9]{2}:[0-9]{2})"
    r"(?:\.(?P<frac>[0-9]+))?(?P<tz>Z|[+-][0-9]{2}:[0-9]{2})?$"
)
# Characters SPARQL's IRIREF forbids, plus controls and space.
_IRI_RE = re.compile(r"^https?://[^\x00-\x20<>\"{}|^`\\]+$")
_CURIE_LOCAL_RE = re.compile(r"^[A-Za-z0-9_\-.~%/#]*$")

_IRI_EXPECTED = "an IRI or a prefixed name such as kgi:state-tj (or a name the graph knows)"
_TYPE_EXPECTED = {
    "integer": "an integer (e.g. 42)",
    "decimal": "a decimal number (e.g. 3.14)",
    "boolean": "a boolean (true, false, 1 or 0)",
    "date": "a date (YYYY-MM-DD)",
    "dateTime": "a date and time (YYYY-MM-DDThh:mm:ss, optionally with Z or +hh:mm)",
}


# --------------------------------------------------------------------------- data classes


@dataclass(frozen=True)
class Param:
    """A declared parameter of a stored query; values are raw strings as typed by users."""

    name: str
    type: str
    description: str
    default: str | None = None
    enum: tuple[str, ...] | None = None

    @property
    def required(self) -> bool:
        """A parameter without a default must be passed."""
        return self.default is None


@dataclass(frozen=True)
class StoredQuery:
    """A checked stored query: its header, its whole text (header included) and its form."""

    name: str
    path: Path
    summary: str
    description: str
    tags: tuple[str, ...]
    inference: str
    # dicts are not hashable; leave them out of the hash so the object stays hashable
    params: dict[str, Param] = field(hash=False)
    returns: dict[str, str] = field(hash=False)
    example: str
    text: str
    form: str
    #: "" (no --as-of), "view" (the graph as of the day) or a date parameter bound to the day too
    as_of: str = ""

    def bind_as_of(self, raw: Mapping[str, str], day: Any) -> dict[str, str]:
        """``raw`` with the as-of day bound to the parameter the header names, if any;
        refuses a query that does not opt in, and a day given twice."""
        if not self.as_of:
            raise UsageError(
                f"the query {self.name!r} does not take --as-of: its answer is not about a day",
                hint="`kg queries --tag temporal` lists the queries that do (their header has 'as-of:')",
                web_hint="the stored queries tagged temporal take a day (/queries?tag=temporal)",
            )
        text = day.isoformat() if hasattr(day, "isoformat") else str(day)
        if self.as_of != "view":
            if self.as_of in raw and raw[self.as_of] != text:
                raise UsageError(
                    f"--as-of {text} and -p {self.as_of} {raw[self.as_of]} ask for two days",
                    hint=f"--as-of sets {self.as_of}; give one of them",
                    web_hint=f"as of a day sets {self.as_of}; give one of them",
                )
            return {**raw, self.as_of: text}
        return dict(raw)

    @property
    def example_values(self) -> dict[str, str]:
        """The value the header's example gives each parameter (``-p``, or ``--as-of`` for
        the day parameter): what a form shows as a placeholder."""
        try:
            raw, day = _example_words(shlex.split(self.example))
        except ValueError:
            return {}
        if day is not None and self.as_of and self.as_of != "view":
            raw.setdefault(self.as_of, day)
        return {name: value for name, value in raw.items() if name in self.params}

    def missing(self, raw: Mapping[str, str]) -> list[str]:
        """The required parameters ``raw`` does not give (or gives empty)."""
        return [n for n, p in self.params.items() if p.required and not str(raw.get(n, "")).strip()]

    def bind(self, raw: Mapping[str, str], *, names: bool = False) -> dict[str, Identifier]:
        """Turn ``{param: value string}`` into ``{param: RDF term}``, applying defaults.

        Raises ``UsageError`` for an unknown or missing parameter, an ill-typed value or a
        value outside the parameter's ``enum``. With ``names``, a name given to an IRI
        parameter (``is_name``) is let through unbound: only the graph can resolve it
        (``Graph.resolve_params``), and everything else is checked before it is opened.
        """
        unknown = [name for name in raw if name not in self.params]
        if unknown:
            known = ", ".join(self.params) if self.params else "none"
            raise UsageError(
                f"unknown parameter {unknown[0]!r} for query {self.name!r}; its parameters: {known}",
                hint="run `kg queries` to list the queries and their parameters" if self.params else None,
            )
        bound: dict[str, Identifier] = {}
        for name, param in self.params.items():
            if name in raw:
                value = raw[name]
                if not isinstance(value, str):
                    raise UsageError(
                        f"parameter {name!r} must be given as a string, got {type(value).__name__}"
                    )
            elif param.default is not None:
                value = param.default
            else:
                raise UsageError(
                    f"missing parameter {name!r} (type {param.type}): pass -p {name} VALUE",
                    hint=f"for example: {self.example}",
                )
            if names and param.type == "iri" and is_name(value):
                continue
            term = to_term(value, param.type, param=name)
            if param.enum is not None and not _in_enum(value, term, param):
                raise UsageError(
                    f"parameter {name!r} must be one of {', '.join(param.enum)}; got {value!r}"
                )
            bound[name] = term
        return bound


def _in_enum(value: str, term: Identifier, param: Param) -> bool:
    # IRIs can be spelt several ways (CURIE, <...>, full); compare what they denote.
    if param.type == "iri":
        return term in {to_term(option, "iri", param=param.name) for option in param.enum or ()}
    return value in (param.enum or ())


# ------------------------------------------------------------------------------ to_term


def to_term(value: str, type_: str, *, param: str) -> Identifier:
    """Convert the user's string ``value`` to an RDF term of the declared type.

    The lexical form is checked strictly, so an ill-typed value is a usage error instead
    of a literal that silently matches nothing. Raises ``UsageError``.
    """
    if not isinstance(value, str):
        raise UsageError(f"parameter {param!r} must be given as a string, got {type(value).__name__}")
    if type_ == "iri":
        return _to_iri(value, param)
    if type_ == "string":
        return Literal(value)
    if type_ == "integer":
        if _INTEGER_RE.fullmatch(value):
            # canonical form, so "+07" matches 7 in a triple pattern even when the store
            # keeps lexical forms as written (kg.rdf.parse turns literal normalisation off)
            return Literal(str(int(value)), datatype=_xsd("integer"))
    elif type_ == "decimal":
        if _DECIMAL_RE.fullmatch(value):
            return Literal(value, datatype=_xsd("decimal"))
    elif type_ == "boolean":
        if value in ("true", "false", "1", "0"):
            return Literal("true" if value in ("true", "1") else "false", datatype=_xsd("boolean"))
    elif type_ == "date":
        if _DATE_RE.fullmatch(value) and _valid(datetime.date.fromisoformat, value):
            return Literal(value, datatype=_xsd("date"))
    elif type_ == "dateTime":
        if _valid_datetime(value):
            return Literal(value, datatype=_xsd("dateTime"))
    else:
        raise UsageError(
            f"parameter {param!r} has unknown type {type_!r}",
            hint=f"use one of {', '.join(PARAM_TYPES)}",
        )
    raise UsageError(f"parameter {param!r} expects {_TYPE_EXPECTED[type_]}, got {value!r}")


def _valid(parse: Any, value: str) -> bool:
    try:
        parse(value)
    except ValueError:
        return False
    return True


def _valid_datetime(value: str) -> bool:
    match = _DATETIME_RE.fullmatch(value)
    if not match:
        return False
    # xsd allows any number of fractional digits; Python's parser takes at most six
    frac = (match["frac"] or "0")[:6].ljust(6, "0")
    tz = match["tz"] or ""
    tz = "+00:00" if tz == "Z" else tz
    return _valid(datetime.datetime.fromisoformat, f"{match['date']}T{match['time']}.{frac}{tz}")


def is_name(value: str) -> bool:
    """Whether ``value``, given to an IRI parameter, is a name to look up in the graph
    ("4th meeting", "Таджикистан") rather than an IRI or prefixed name, right or wrong:
    ``kgi:nosuch`` and ``foo:bar`` are taken as (wrong) identifiers, never as names."""
    text = value.strip()
    if not text or text.startswith("<") or re.match(r"^[a-z][a-z0-9+.\-]*://", text, re.IGNORECASE):
        return False
    prefix, sep, local = text.partition(":")
    if not sep or not re.fullmatch(r"[A-Za-z][\w\-.]*", prefix):
        return True
    # "kgi:sco . ?s ?p ?o" is a broken identifier; "Meeting: the 4th" a name with a colon
    return prefix not in PREFIXES and any(c.isspace() for c in local)


def _to_iri(value: str, param: str) -> NamedNode:
    candidate: str | None = None
    if value.startswith("<") and value.endswith(">"):
        candidate = value[1:-1]
    elif _IRI_RE.fullmatch(value):
        candidate = value
    else:
        prefix, sep, local = value.partition(":")
        known_scheme = prefix in ("http", "https")
        if sep and not known_scheme and prefix not in PREFIXES and re.fullmatch(r"[A-Za-z][\w\-.]*", prefix):
            raise UsageError(
                f"parameter {param!r} expects {_IRI_EXPECTED}, got {value!r}: unknown prefix {prefix!r}",
                hint=f"known prefixes: {', '.join(PREFIXES)}",
            )
        if sep and local and _CURIE_LOCAL_RE.fullmatch(local):
            candidate = expand_curie(value)
    if candidate is None or not _IRI_RE.fullmatch(candidate):
        raise UsageError(f"parameter {param!r} expects {_IRI_EXPECTED}, got {value!r}")
    return NamedNode(candidate)


# ---------------------------------------------------------------------- SPARQL scanning


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _projection(tokens: list[Token]) -> list[str] | None:
    """Variables projected by the SELECT starting at ``tokens[0]``; ``None`` for ``SELECT *``."""
    names: list[str] = []
    depth = 0
    expression: list[Token] = []
    for token in tokens[1:]:
        word = token.text.upper() if token.kind == "word" else ""
        if depth == 0:
            if word in ("WHERE", "FROM") or token.text == "{":
                break
            if word in ("DISTINCT", "REDUCED"):
                continue
            if token.text == "*":
                return None
            if token.kind == "var":
                names.append(token.text[1:])
            elif token.text == "(":
                depth, expression = 1, []
            continue
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
            if depth == 0:
                # `(expr AS ?v)`: the alias is the variable after the last top-level AS
                if (
                    len(expression) >= 2
                    and expression[-2].kind == "word"
                    and expression[-2].text.upper() == "AS"
                    and expression[-1].kind == "var"
                ):
                    names.append(expression[-1].text[1:])
                continue
        expression.append(token)
    return names


# ------------------------------------------------------------------------ header parsing


@functools.lru_cache(maxsize=1)
def _unique_key_loader() -> type:
    """A safe YAML loader that rejects duplicate keys, which plain YAML silently overwrites.

    Made on first use: yaml is imported only when a header is read (``kg query NAME``
    reads one file, and a server none after its first requests)."""
    import yaml

    class _UniqueKeyLoader(yaml.SafeLoader):
        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
            seen: set[Any] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                try:
                    repeated = key in seen
                except TypeError:
                    continue  # an unhashable key: the base class reports it
                if repeated:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping",
                        node.start_mark,
                        f"found duplicate key {key!r}",
                        key_node.start_mark,
                    )
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

    return _UniqueKeyLoader


class _Header:
    """The `#+` lines of a file as YAML text, with the file line of each YAML line."""

    def __init__(self, path: Path, lines: list[str]) -> None:
        self.path = path
        self.yaml_lines: list[str] = []
        self.file_lines: list[int] = []
        for number, line in enumerate(lines, start=1):
            if not line.startswith("#+"):
                break
            if line != "#+" and not line.startswith("#+ "):
                raise QueryError(
                    "a header line must be '#+' alone or start with '#+ ' (hash, plus, space)",
                    location=f"{path}:{number}",
                    hint="put a space after '#+'",
                )
            self.yaml_lines.append(line[3:])
            self.file_lines.append(number)
        end = len(self.file_lines)
        for number, line in enumerate(lines[end:], start=end + 1):
            if line.startswith("#+"):
                raise QueryError(
                    "a '#+' header line after the header has ended",
                    location=f"{path}:{number}",
                    hint="the header is one block of '#+' lines at the top of the file, "
                    "with no blank or other lines inside it",
                )

    def file_line(self, yaml_line: int) -> int:
        """The file line of a 0-based YAML line (clamped: YAML reports end of input past it)."""
        if not self.file_lines:
            return 1
        return self.file_lines[min(max(yaml_line, 0), len(self.file_lines) - 1)]

    def locate(self, *keys: str) -> str:
        """``file:line`` of the nested key ``keys`` (as deep as it is found; else line 1)."""
        line, start, parent_indent = 1, 0, -1
        for key in keys:
            pattern = re.compile(r"^(['\"]?)" + re.escape(key) + r"\1\s*:(?:\s|$)")
            child_indent: int | None = None
            found: int | None = None
            for index in range(start, len(self.yaml_lines)):
                text = self.yaml_lines[index]
                if not text.strip() or text.lstrip().startswith("#"):
                    continue
                indent = len(text) - len(text.lstrip())
                if indent <= parent_indent:
                    break  # the parent's block has ended
                if child_indent is None:
                    child_indent = indent
                if indent == child_indent and pattern.match(text.lstrip()):
                    found = index
                    break
            if found is None:
                break
            line, start, parent_indent = self.file_lines[found], found + 1, child_indent or 0
        return f"{self.path}:{line}"

    def load(self) -> dict[str, Any]:
        """The header as a mapping; YAML errors point at the file line."""
        import yaml

        location = f"{self.path}:1"
        if not self.yaml_lines:
            raise QueryError(
                "no '#+' header at the top of the file",
                location=location,
                hint="start the file with '#+ summary: ...' and the other keys (see queries/README.md)",
            )
        try:
            data = yaml.load("\n".join(self.yaml_lines) + "\n", Loader=_unique_key_loader())
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = self.file_line(mark.line) if mark is not None else 1
            problem = exc.problem or exc.context or "malformed YAML"
            if exc.context and exc.context_mark is not None:
                context_line = self.file_line(exc.context_mark.line)
                if context_line != line:
                    problem += f" ({exc.context} started on line {context_line})"
            duplicate = "duplicate key" in problem
            raise QueryError(
                f"the '#+' header is not valid YAML: {problem}",
                location=f"{self.path}:{line}",
                hint="remove or rename the repeated key"
                if duplicate
                else "quote values that contain ': ' or start with a special character; "
                "close every bracket",
            ) from exc
        except yaml.YAMLError as exc:
            raise QueryError(f"the '#+' header is not valid YAML: {exc}", location=location) from exc
        if not isinstance(data, dict):
            raise QueryError(
                "the '#+' header must be a mapping of keys such as 'summary: ...'",
                location=location,
            )
        return data


def _scalar(value: Any) -> str | None:
    """A YAML scalar as the string a user would type; ``None`` for non-scalars."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return None


def parse_stored_query(path: Path) -> StoredQuery:
    """Read and check the stored query at ``path``.

    Raises ``QueryError`` with ``location="file:line"`` (the line of the offending header
    key, or of the offending SPARQL keyword) for anything malformed.
    """
    path = Path(path)
    name = path.name[: -len(".rq")] if path.name.endswith(".rq") else path.name
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise QueryError(f"cannot read the stored query: {exc.strerror}", location=str(path)) from exc
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw_bytes[: exc.start].count(b"\n") + 1
        raise QueryError(
            "the file is not UTF-8", location=f"{path}:{line}", hint="save it as UTF-8"
        ) from exc
    if not path.name.endswith(".rq") or not NAME_RE.fullmatch(name):
        raise QueryError(
            f"{path.name!r} is not a stored query file name",
            location=f"{path}:1",
            hint="name it with lower-case words joined by '-' and the extension .rq",
        )
    header = _Header(path, text.splitlines())
    data = header.load()
    return _Checker(name, path, text, header, data).build()


class _Checker:
    """The header rules, one method per key; each error names the key's line."""

    def __init__(self, name: str, path: Path, text: str, header: _Header, data: dict[str, Any]) -> None:
        self.name = name
        self.path = path
        self.text = text
        self.header = header
        self.data = data

    def fail(self, message: str, *keys: str, hint: str | None = None) -> QueryError:
        return QueryError(message, location=self.header.locate(*keys), hint=hint)

    def build(self) -> StoredQuery:
        for key in self.data:
            if key not in _HEADER_KEYS:
                raise self.fail(
                    f"unknown header key {key!r}",
                    str(key),
                    hint=f"allowed keys: {', '.join(_HEADER_KEYS)}",
                )
        tokens = query_tokens(self.text)
        form = self._form(tokens)
        summary = self._one_line("summary", required=True)
        description = self._text("description")
        tags = self._tags()
        inference = self._inference()
        example = self._one_line("example", required=True)
        if example != f"kg query {self.name}" and not example.startswith(f"kg query {self.name} "):
            raise self.fail(
                f"the example must start with 'kg query {self.name}'",
                "example",
                hint="give a command line that runs this query on the bundled graph",
            )
        variables = {t.text[1:] for t in tokens if t.kind == "var"}
        params = self._params(variables)
        returns = self._returns(form, tokens)
        as_of = self._as_of(params)
        query = StoredQuery(
            name=self.name,
            path=self.path,
            summary=summary,
            description=description,
            tags=tags,
            inference=inference,
            params=params,
            returns=returns,
            example=example,
            text=self.text,
            form=form,
            as_of=as_of,
        )
        self._check_example(query)
        return query

    def _form(self, tokens: list[Token]) -> str:
        if not tokens:
            raise self.fail(
                "no SPARQL query after the header", hint="write a SELECT, ASK, CONSTRUCT or DESCRIBE query"
            )
        first = tokens[0]
        keyword = first.text.upper() if first.kind == "word" else first.text
        location = f"{self.path}:{_line_of(self.text, first.offset)}"
        if keyword in QUERY_FORMS:
            return keyword
        if keyword in UPDATE_KEYWORDS:
            raise QueryError(
                f"stored queries must be read-only; this is a SPARQL update ({keyword})",
                location=location,
                hint="write a SELECT, ASK, CONSTRUCT or DESCRIBE query",
            )
        raise QueryError(
            f"expected SELECT, ASK, CONSTRUCT or DESCRIBE after the PREFIX lines, found {first.text!r}",
            location=location,
            hint="stored queries must be read-only SPARQL queries",
        )

    def _one_line(self, key: str, *, required: bool) -> str:
        value = self.data.get(key)
        if value is None:
            if required or key in self.data:
                raise self.fail(
                    f"the header has no {key!r}" if key not in self.data else f"{key!r} is empty",
                    key,
                    hint=f"add '#+ {key}: ...' (see queries/README.md)",
                )
            return ""
        if not isinstance(value, str) or not value.strip() or "\n" in value.strip():
            raise self.fail(
                f"{key!r} must be one line of text",
                key,
                hint="write it on the same line as the key; quote it if it contains ': '",
            )
        return value.strip()

    def _text(self, key: str) -> str:
        value = self.data.get(key, "")
        if not isinstance(value, str):
            raise self.fail(f"{key!r} must be text", key, hint=f"use '#+ {key}: |' and indented lines")
        return value.strip()

    def _tags(self) -> tuple[str, ...]:
        value = self.data.get("tags", [])
        if not isinstance(value, list) or not all(isinstance(t, str) and t.strip() for t in value):
            raise self.fail(
                "'tags' must be a list of words", "tags", hint="write e.g. 'tags: [meetings, modality]'"
            )
        return tuple(value)

    def _inference(self) -> str:
        value = self.data.get("inference", "none")
        if value not in INFERENCE_MODES:
            raise self.fail(
                f"'inference' must be one of {', '.join(INFERENCE_MODES)}, got {value!r}",
                "inference",
                hint="use owlrl when the query relies on sub-classes, sub-properties or transitivity",
            )
        return str(value)

    def _as_of(self, params: dict[str, Param]) -> str:
        value = self.data.get("as-of")
        if value is None:
            return ""
        dates = [n for n, p in params.items() if p.type == "date"]
        if value == "view" or (isinstance(value, str) and value in dates):
            return str(value)
        raise self.fail(
            f"'as-of' must be 'view' or the name of a date parameter ({', '.join(dates) or 'there is none'}), got {value!r}",
            "as-of",
            hint="'view': --as-of runs the query on the graph as it stood that day; a date parameter also receives the day",
        )

    def _params(self, variables: set[str]) -> dict[str, Param]:
        value = self.data.get("params", {})
        if not isinstance(value, dict):
            raise self.fail(
                "'params' must map parameter names to {type, description, default?, enum?}",
                "params",
            )
        params: dict[str, Param] = {}
        for pname, spec in value.items():
            where = ("params", str(pname))
            if not isinstance(pname, str) or not _PARAM_NAME_RE.fullmatch(pname):
                raise self.fail(
                    f"parameter name {pname!r} is not a SPARQL variable name",
                    *where,
                    hint="use letters, digits and '_', starting with a letter",
                )
            if not isinstance(spec, dict):
                raise self.fail(
                    f"parameter {pname!r} must be a mapping with type and description", *where
                )
            for key in spec:
                if key not in _PARAM_KEYS:
                    raise self.fail(
                        f"parameter {pname!r} has unknown key {key!r}",
                        *where,
                        str(key),
                        hint=f"allowed keys: {', '.join(_PARAM_KEYS)}",
                    )
            type_ = spec.get("type")
            if type_ not in PARAM_TYPES:
                raise self.fail(
                    f"parameter {pname!r} has type {type_!r}; use one of {', '.join(PARAM_TYPES)}",
                    *where,
                    "type",
                )
            description = spec.get("description")
            if not isinstance(description, str) or not description.strip():
                raise self.fail(
                    f"parameter {pname!r} needs a description", *where, "description",
                    hint="say what the value is, with an example",
                )
            enum = self._enum(pname, spec, type_)
            default = self._default(pname, spec, type_, enum)
            if pname not in variables:
                raise self.fail(
                    f"parameter {pname!r} is not used in the query: there is no ?{pname} in it",
                    *where,
                    hint=f"use ?{pname} in a triple pattern or FILTER, or remove the parameter",
                )
            params[pname] = Param(pname, type_, description.strip(), default, enum)
        return params

    def _enum(self, pname: str, spec: dict[str, Any], type_: str) -> tuple[str, ...] | None:
        if "enum" not in spec:
            return None
        where = ("params", pname, "enum")
        value = spec["enum"]
        options = [_scalar(v) for v in value] if isinstance(value, list) else []
        if not options or any(o is None for o in options):
            raise self.fail(f"the enum of parameter {pname!r} must be a non-empty list of values", *where)
        for option in options:
            assert option is not None
            try:
                to_term(option, type_, param=pname)
            except UsageError as exc:
                raise self.fail(f"enum value of parameter {pname!r}: {exc.message}", *where) from exc
        return tuple(o for o in options if o is not None)

    def _default(
        self, pname: str, spec: dict[str, Any], type_: str, enum: tuple[str, ...] | None
    ) -> str | None:
        if "default" not in spec:
            return None
        where = ("params", pname, "default")
        default = _scalar(spec["default"])
        if default is None:
            raise self.fail(
                f"the default of parameter {pname!r} is empty or not a single value",
                *where,
                hint="give a value, or remove 'default' to make the parameter required",
            )
        try:
            term = to_term(default, type_, param=pname)
        except UsageError as exc:
            raise self.fail(f"bad default: {exc.message}", *where, hint="quote it if YAML reads it") from exc
        if enum is not None and not _in_enum(default, term, Param(pname, type_, "", default, enum)):
            raise self.fail(
                f"the default {default!r} of parameter {pname!r} is not in its enum ({', '.join(enum)})",
                *where,
            )
        return default

    def _returns(self, form: str, tokens: list[Token]) -> dict[str, str]:
        if form != "SELECT":
            if "returns" in self.data:
                raise self.fail(
                    f"'returns' describes SELECT columns; this is a {form} query",
                    "returns",
                    hint="remove 'returns' and say what the result means in 'description'",
                )
            return {}
        value = self.data.get("returns")
        if not isinstance(value, dict) or not value:
            raise self.fail(
                "a SELECT query needs 'returns': each projected variable and what it means",
                "returns",
                hint="add '#+ returns:' with one '#+   variable: meaning' line per column",
            )
        returns: dict[str, str] = {}
        for var, meaning in value.items():
            if not isinstance(var, str) or not isinstance(meaning, str) or not meaning.strip():
                raise self.fail(
                    f"'returns' entry {var!r} must be 'variable: meaning' (text)",
                    "returns",
                    str(var),
                    hint="quote variable names YAML reads as other values (yes, no, on, off, null)",
                )
            returns[var] = meaning.strip()
        projected = _projection(tokens)
        if projected is not None and list(returns) != projected:
            raise self.fail(
                f"'returns' lists {', '.join(returns)} but the SELECT projects {', '.join(projected)}",
                "returns",
                hint="list exactly the projected variables, in projection order",
            )
        return returns

    def _check_example(self, query: StoredQuery) -> None:
        # The example is run by the tests; catch an unknown, missing or ill-typed -p here already.
        try:
            words = shlex.split(query.example)
        except ValueError as exc:
            raise self.fail(f"the example is not a valid command line: {exc}", "example") from exc
        raw, day = _example_words(words)
        try:
            query.bind(query.bind_as_of(raw, day) if day is not None else raw)
        except UsageError as exc:
            raise self.fail(f"the example does not run: {exc.message}", "example") from exc


def _example_words(words: list[str]) -> tuple[dict[str, str], str | None]:
    """The ``-p NAME VALUE`` pairs and the ``--as-of`` day of an example command line."""
    raw: dict[str, str] = {}
    day: str | None = None
    for i, word in enumerate(words):
        if word == "-p" and i + 2 < len(words):
            raw[words[i + 1]] = words[i + 2]
        elif word == "--as-of" and i + 1 < len(words):
            day = words[i + 1]
        elif word.startswith("--as-of="):
            day = word.partition("=")[2]
    return raw, day


# ---------------------------------------------------------------------------- catalog


def query_json(q: StoredQuery) -> dict[str, Any]:
    """A stored query's header as plain data (``kg queries -f json``, the web API)."""
    examples = q.example_values
    return {
        "name": q.name,
        "form": q.form,
        "summary": q.summary,
        "description": q.description,
        "tags": list(q.tags),
        "inference": q.inference,
        "as_of": q.as_of or None,
        "params": {
            p.name: {"type": p.type, "default": p.default, "required": p.required, "example": examples.get(p.name),
                     "description": p.description, "enum": list(p.enum) if p.enum else None}
            for p in q.params.values()
        },
        "returns": dict(q.returns),
        "example": q.example,
    }


class QueryCatalog:
    """The stored queries of one directory, parsed on first use and cached; a file that
    changed since (size or modification time) is parsed again, so a long-lived process
    (the server, a notebook) serves the query as it is now."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._cache: dict[str, tuple[tuple[int, int], StoredQuery]] = {}

    def names(self) -> list[str]:
        """The names of the stored queries, sorted (files whose names break the rule are left out)."""
        if not self.directory.is_dir():
            raise UsageError(
                f"query directory {self.directory} does not exist",
                hint="pass the directory holding the .rq files",
            )
        stems = (p.name[: -len(".rq")] for p in self.directory.glob("*.rq") if p.is_file())
        return sorted(stem for stem in stems if NAME_RE.fullmatch(stem))

    def get(self, name: str) -> StoredQuery:
        """The stored query ``name``; ``UsageError`` for a malformed or unknown name."""
        # Check the name before it goes anywhere near a path: `../x` must not be opened.
        if not isinstance(name, str) or not NAME_RE.fullmatch(name):
            raise UsageError(
                f"query name {name!r} is not a stored query name (lower-case words joined by '-')",
                hint="run `kg queries` to list them",
            )
        path = self.directory / f"{name}.rq"
        try:
            st = path.stat()
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        cached = self._cache.get(name)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        known = self.names()
        if name not in known:
            import difflib

            close = difflib.get_close_matches(name, known, n=3)
            hint = (
                f"did you mean: {', '.join(close)}? run `kg queries` to list them"
                if close
                else "run `kg queries` to list them"
            )
            raise UsageError(f"no stored query named {name!r}", hint=hint)
        query = parse_stored_query(path)
        if stamp is not None:
            self._cache[name] = (stamp, query)
        return query

    def all(self) -> list[StoredQuery]:
        """Every stored query, by name."""
        return [self.get(name) for name in self.names()]

    def with_tag(self, tag: str) -> list[StoredQuery]:
        """The stored queries carrying ``tag``, by name."""
        return [query for query in self.all() if tag in query.tags]
