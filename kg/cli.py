"""The ``kg`` command: a thin layer over the package's API.

Commands parse options, call the API, pick a renderer and map errors to exit codes
(see ``kg.errors``). No RDF logic lives here. Heavy libraries (pyshacl, owlrl) are imported
by the commands that need them only, so ``kg --help`` and ``kg query`` start fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from kg import formats
from kg.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    InputError,
    KgError,
    UsageError,
)

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
INFERENCE = click.Choice(["none", "rdfs", "owlrl"])


class State:
    """Options every command shares, and the one ``kg.Graph`` every command works on."""

    def __init__(self, data: Path | None, quiet: bool, verbose: int, debug: bool, endpoint: str | None = None) -> None:
        self.data, self.quiet, self.verbose, self.debug = data, quiet, verbose, debug
        self.endpoint = endpoint  # read from this SPARQL endpoint instead of the local store
        self._graph: Any = None

    @property
    def graph(self) -> Any:
        if self._graph is None:
            from kg.graph import open as open_graph

            self._graph = open_graph(self.data, progress=self.progress_bar(), endpoint=self.endpoint)
        return self._graph

    @property
    def layout(self) -> Any:
        return self.graph.layout

    def store(self, inference: str = "none") -> Any:
        """The store, with notes on how it was obtained (built, reloaded, or reused)."""
        gs, warnings = self.graph.store_notes(inference)
        for w in warnings:
            self.info(f"warning: {w}")
        if inference != "none":
            self.info(f"{gs.inferred} triples inferred ({inference})")
        if self.verbose and gs.endpoint:
            self.info(f"reading from the endpoint {gs.endpoint}")
        elif self.verbose:
            where = str(gs.path) if gs.path else "memory"
            how = f"built ({len(gs.reloaded)} file(s) loaded)" if gs.built else "reused"
            self.info(f"store {how} in {gs.seconds:.2f} s: {where}")
        return gs

    def progress_bar(self) -> Any:
        """A progress callback drawing on stderr, or ``None`` when stderr is not a terminal."""
        if self.quiet or not sys.stderr.isatty():
            return None
        from kg.progress import Bar

        return Bar()

    def info(self, message: str) -> None:
        if not self.quiet:
            click.echo(message, err=True)


pass_state = click.make_pass_decorator(State)



def emit(data: bytes, output: Path | None) -> None:
    """Write ``data`` to standard output (``output`` is ``None``) or atomically to a file.

    A missing target directory raises ``UsageError`` and nothing is created.
    """
    import os

    if output is None:
        try:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        except BrokenPipeError:
            # the reader went away (`kg ... | head`): not an error; silence the final flush
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise SystemExit(0) from None
    else:
        from kg.fileio import atomic_write

        atomic_write(output, data)


def _check_output(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    # fail before any work is done, not after a long validation
    if value is not None and not (value.parent if str(value.parent) else Path(".")).is_dir():
        raise UsageError(
            f"cannot write {value}: directory {value.parent} does not exist",
            hint="create the directory first or choose another output path",
        )
    return value


def output_option(f: Any) -> Any:
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        callback=_check_output,
        help="Write to FILE (atomically: a temporary file renamed into place) instead of stdout.",
    )(f)


def _format(fmt: str | None, output: Path | None, default: str) -> str:

    if fmt:
        return fmt
    if output is not None:
        guessed = formats.from_suffix(output)
        if guessed:
            return guessed
    return default


@click.group(context_settings=CONTEXT)
@click.option(
    "--data",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="KG_DATA",
    help="Graph directory with ontology/, data/ and queries/ (default: the current directory or this checkout).",
)
@click.option(
    "--endpoint",
    metavar="URL",
    envvar="KG_ENDPOINT",
    help="Read from this SPARQL 1.1 endpoint instead of the local store (fill it with `kg push`); stored queries stay local.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print results only, no notes on stderr.")
@click.option("-v", "--verbose", count=True, help="Print more notes on stderr (timings, counts).")
@click.option("--debug", is_flag=True, help="Show a traceback on errors.")
@click.version_option(None, "-V", "--version", prog_name="kg", package_name="jckg")
@click.pass_context
def cli(ctx: click.Context, data: Path | None, endpoint: str | None, quiet: bool, verbose: int, debug: bool) -> None:
    """Query, validate, reason over and export the knowledge graph of regional legal and
    judicial cooperation (ECO, SCO).

    \b
    Examples:
      kg queries                                   list the stored queries
      kg query delegations-at-meeting -p event kgi:eco-apg-meeting-4
      kg sparql 'SELECT ?s WHERE { ?s a kg:State }' -f csv
      kg validate                                  check the graph against its shapes
      kg describe Tajikistan                       what the graph says about an entity
      kg push --endpoint http://127.0.0.1:7878/query    upload it to a SPARQL store
    """
    ctx.obj = State(data, quiet, verbose, debug, endpoint=endpoint or None)


# ---------------------------------------------------------------- stored queries


@cli.command("queries")
@click.argument("name", required=False)
@click.option("--tag", help="Only queries with this tag.")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_state
def queries_cmd(state: State, name: str | None, tag: str | None, fmt: str) -> None:
    """List the stored queries, or show one in full.

    \b
    Example:
      kg queries --tag meetings
      kg queries delegations-at-meeting
    """
    from kg import views

    if name:
        one = views.stored_query(state.graph, name)
        if fmt == "json":
            click.echo(json.dumps(one.to_json(), indent=2, ensure_ascii=False))
        else:
            click.echo(one.to_text(), nl=False)
        return
    listed = views.stored_queries(state.graph, tag)
    items = listed.queries
    if fmt == "json":
        click.echo(json.dumps(listed.to_json(), indent=2, ensure_ascii=False))
        return
    click.echo(listed.to_text(), nl=False)
    state.info(f"{len(items)} stored queries; `kg queries NAME` shows one in full")


def _emit_result(result: Any, fmt: str | None, output: Path | None, state: State) -> None:
    from kg import views

    if result.is_graph:
        data = views.result_bytes(result, _format(fmt, output, "turtle"))
    else:
        default = "table" if (output is None and sys.stdout.isatty()) else "csv"
        data = views.result_bytes(result, _format(fmt, output, default))
    emit(data, output)
    if result.type == "SELECT":
        state.info(f"{len(result.rows)} row(s)")


def limit_options(f: Any) -> Any:
    from kg.errors import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT

    f = click.option(
        "--max-rows",
        type=click.IntRange(min=0),
        envvar="KG_MAX_ROWS",
        default=DEFAULT_MAX_ROWS,
        show_default=True,
        help="Stop (exit 5) a query that returns more rows or statements than this; 0: no limit.",
    )(f)
    return click.option(
        "--timeout",
        type=click.FloatRange(min=0),
        envvar="KG_TIMEOUT",
        default=DEFAULT_TIMEOUT,
        show_default=True,
        metavar="SECONDS",
        help="Stop (exit 5) a query that runs longer than this; 0: no limit.",
    )(f)


FORMAT_HELP = formats.help_text()


@cli.command("query")
@click.argument("name")
@click.option("-p", "--param", "params", type=(str, str), multiple=True, metavar="NAME VALUE", help="A parameter value (repeatable).")
@click.option("-f", "--format", "fmt", help=f"Output format: {FORMAT_HELP}. Default: table on a terminal, else csv.")
@click.option("--inference", type=INFERENCE, help="Reasoning before the query (default: what the query's header says).")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="On the graph as it stood that day (queries whose header has 'as-of:').")
@limit_options
@output_option
@pass_state
def query_cmd(state: State, name: str, params: tuple[tuple[str, str], ...], fmt: str | None, inference: str | None, as_of: str | None, timeout: float, max_rows: int, output: Path | None) -> None:
    """Run a stored query by NAME with typed parameters.

    Values are converted to RDF terms by their declared type and bound by the engine,
    never pasted into the query text. An IRI parameter also takes a name in any language
    ("Tajikistan", "Таджикистан"): the one entity of that name is used, and a name that
    fits several is refused with the candidates.

    \b
    Example:
      kg query delegations-at-meeting -p event kgi:eco-apg-meeting-4
      kg query timeline-of-state -p state Tajikistan
      kg query members-on-date -p organisation kgi:sco -p date 2023-01-01 -f csv
      kg query scheduled-events --as-of 2025-06-01
    """
    raw: dict[str, str] = {}
    for key, value in params:
        if key in raw:
            raise UsageError(f"parameter {key!r} is given twice", hint="pass each -p NAME VALUE once")
        raw[key] = value
    g = state.graph
    day = g.day(as_of) if as_of is not None else None
    stored = g.check_stored(name, raw, day)  # a bad parameter is reported before the store is opened
    state.store(inference or stored.inference)
    raw, notes = g.resolve_params(name, raw)
    for note in notes:
        # on stderr even with -q: a name taken as an entity, or an IRI that answers nothing,
        # changes what the rows mean
        click.echo(f"kg: warning: {note}" if "not in the graph" in note else f"kg: {note}", err=True)
    result = g.query(name, params=raw, inference=inference, timeout=timeout, max_rows=max_rows or None, as_of=day)
    _emit_result(result, fmt, output, state)
    if day is not None:
        for note in g.as_of_notes(day):
            state.info(note)


@cli.command("sparql")
@click.argument("query", required=False)
@click.option("--file", "query_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Read the query from FILE ('-' in QUERY reads stdin).")
@click.option("-f", "--format", "fmt", help=f"Output format: {FORMAT_HELP}.")
@click.option("--inference", type=INFERENCE, default="none", show_default=True, help="Reasoning before the query.")
@click.option("--allow-network", is_flag=True, help="Allow SERVICE and FROM, which fetch data from outside the graph.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="On the graph as it stood that day.")
@limit_options
@output_option
@pass_state
def sparql_cmd(state: State, query: str | None, query_file: Path | None, fmt: str | None, inference: str, allow_network: bool, as_of: str | None, timeout: float, max_rows: int, output: Path | None) -> None:
    """Run ad hoc SPARQL (SELECT, ASK, CONSTRUCT, DESCRIBE) from QUERY, --file or stdin.

    The project's prefixes (kg:, kgi:, kgc:, rdfs:, ...) are predeclared. Updates are
    refused; SERVICE and FROM are refused unless --allow-network is given.

    \b
    Example:
      kg sparql 'SELECT ?state ?label WHERE { ?state a kg:State ; rdfs:label ?label FILTER(lang(?label)="ru") }'
      echo 'ASK { kgi:state-tj kg:isoAlpha2 "TJ" }' | kg sparql -
    """
    g = state.graph
    if query_file is not None:
        if query:
            raise UsageError("give the query either as an argument or with --file, not both")
        text, source = g.read_query(query_file), str(query_file)
    elif query == "-" or (query is None and not sys.stdin.isatty()):
        raw = sys.stdin.buffer.read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})", location="<stdin>", hint="send UTF-8") from exc
        if not text.strip():
            raise UsageError("no query given on stdin", hint="pipe a SELECT, ASK, CONSTRUCT or DESCRIBE query")
        source = "<stdin>"
    elif query:
        text, source = query, "<query>"
    else:
        raise UsageError("no query given", hint="pass it as an argument, with --file FILE, or on stdin with '-'")
    g.check_query(text, source=source, allow_network=allow_network, timeout=timeout)  # a bad query fails before the store is opened
    day = g.day(as_of) if as_of is not None else None
    state.store(inference if day is None else "none")
    result = g.sparql(text, source=source, inference=inference, allow_network=allow_network, timeout=timeout, max_rows=max_rows or None, as_of=day)
    _emit_result(result, fmt, output, state)
    if day is not None:
        for note in state.graph.as_of_notes(day):
            state.info(note)


# ---------------------------------------------------------------- validation and reasoning


@cli.command("validate")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-f", "--format", "fmt", type=click.Choice(formats.names("report")), default="text", show_default=True)
@click.option("--fail-on-warning", is_flag=True, help="Exit 1 on warnings too.")
@output_option
@pass_state
def validate_cmd(state: State, files: tuple[Path, ...], fmt: str, fail_on_warning: bool, output: Path | None) -> None:
    """Check the graph, or FILES in the context of the graph, against the SHACL shapes.

    Exit 0 when it conforms (warnings allowed), 1 on violations.

    \b
    Example:
      kg validate
      kg validate examples/accepted/eco-apg-meeting-6-sidelines.ttl -f json
    """
    from kg import views

    state.store()
    report = state.graph.validate(list(files))
    emit(views.report_bytes(report, fmt), output)
    if not report.passes or (fail_on_warning and report.warnings):
        raise SystemExit(EXIT_PROBLEMS)


@cli.command("export")
@click.option("-f", "--format", "fmt", type=click.Choice(formats.names("graph")), help="RDF format (default: from -o's suffix, else nq).")
@click.option("--inference", type=INFERENCE, default="none", show_default=True, help="Add inferred triples (in the graph kgg:inferred).")
@click.option("--inferred-only", is_flag=True, help="Export only the inferred triples.")
@output_option
@pass_state
def export_cmd(state: State, fmt: str | None, inference: str, inferred_only: bool, output: Path | None) -> None:
    """Write the whole graph in a standard RDF format.

    N-Quads, TriG and JSON-LD keep one named graph per source file (provenance); Turtle,
    N-Triples and RDF/XML write the union.

    \b
    Example:
      kg export -f trig -o graph.trig
      kg export --inference owlrl --inferred-only -f turtle
    """

    if inferred_only and inference == "none":
        inference = "owlrl"
    state.store(inference)
    emit(state.graph.export(_format(fmt, output, "nq"), inference=inference, inferred_only=inferred_only), output)


@cli.command("reason")
@click.option("--inference", type=click.Choice(["rdfs", "owlrl"]), default="owlrl", show_default=True)
@click.option("-f", "--format", "fmt", type=click.Choice(formats.names("graph")), help="RDF format (default: from -o's suffix, else turtle).")
@output_option
@pass_state
def reason_cmd(state: State, inference: str, fmt: str | None, output: Path | None) -> None:
    """Materialise OWL RL (or RDFS) inferences and write only what was inferred.

    \b
    Example:
      kg reason -o inferred.ttl
    """
    from kg import views

    state.store(inference)
    emit(views.triples_bytes(state.graph.inferred(inference), _format(fmt, output, "turtle")), output)


def submission_options(f: Any) -> Any:
    """The options kg add and kg amend share: both check a submission and merge it."""
    for option in reversed([
        click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)),
        click.option("--dry-run", is_flag=True, help="Check and report, write nothing."),
        click.option("--force", is_flag=True, help="Accept files above the size limit (KG_MAX_INPUT_BYTES, default 50 MB)."),
        click.option("--allow-foreign", is_flag=True, help="Accept subjects outside the kgi: namespace."),
        click.option("--full", is_flag=True, help="Validate the whole graph instead of only what the submission affects."),
        click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True),
    ]):
        f = option(f)
    return f


@cli.command("add")
@submission_options
@pass_state
def add_cmd(state: State, files: tuple[Path, ...], dry_run: bool, force: bool, allow_foreign: bool, full: bool, fmt: str) -> None:
    """Check new facts (Turtle, N-Triples or JSON-LD) against the shapes in the context of
    the graph and, if they conform, merge them into the file of their source.

    The facts must come from one source document, described in the file or already in
    the graph, and every subject must cite it with prov:wasDerivedFrom. On a violation
    nothing is written and the exit code is 1. Adding the same file twice changes nothing.

    \b
    Example:
      kg add --dry-run examples/accepted/eco-apg-meeting-6-sidelines.ttl
      kg add examples/rejected/meeting-ends-before-start.ttl     (exit 1, report)
    """
    _add_or_amend(state, files, dry_run=dry_run, force=force, allow_foreign=allow_foreign, full=full, fmt=fmt, amend=False)


@cli.command("amend")
@submission_options
@pass_state
def amend_cmd(state: State, files: tuple[Path, ...], dry_run: bool, force: bool, allow_foreign: bool, full: bool, fmt: str) -> None:
    """Merge facts that replace earlier ones: a status that moved on, a correction, a post
    that changed hands.

    Besides the new facts (from one source, cited as for `kg add`), the file holds a
    kg:Supersession record for each statement it replaces: rdf:subject, rdf:predicate,
    rdf:object, kg:supersededOn, kg:changeKind, kg:reason and the source. The graph with
    the new facts in and the replaced statements out is validated as `kg add` does;
    nothing is deleted: a replaced statement stays in its source's file, as that
    source's word, and `kg history ENTITY` shows it. On a violation nothing is written.

    \b
    Example:
      kg amend --dry-run examples/amendments/eco-apg-meeting-6-held.ttl
      kg history kgi:eco-apg-meeting-6
    """
    _add_or_amend(state, files, dry_run=dry_run, force=force, allow_foreign=allow_foreign, full=full, fmt=fmt, amend=True)


def _add_or_amend(state: State, files: tuple[Path, ...], *, dry_run: bool, force: bool, allow_foreign: bool, full: bool, fmt: str, amend: bool) -> None:
    from kg import views

    result = state.graph.add(list(files), dry_run=dry_run, force=force, allow_foreign=allow_foreign, incremental=not full, amend=amend)
    for note in result.notes:
        state.info(f"note: {note}")
    shown = views.submission(state.graph, result, dry_run=dry_run)
    if fmt == "json":
        click.echo(json.dumps(shown.to_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(shown.to_text(), nl=False)
    if not result.accepted:
        raise SystemExit(EXIT_PROBLEMS)


@cli.command("suggest")
@click.argument("text_file", type=click.Path(dir_okay=False, allow_dash=True, path_type=str))
@click.option("--title", required=True, help="The source's title (its headline).")
@click.option("--publisher", required=True, help="Who published it: an organisation the graph knows (ECO, SCO) or a name.")
@click.option("--issued", metavar="YYYY-MM-DD", help="Its publication day: dates without a year and weekdays are read from it.")
@click.option("--url", metavar="URL", help="Where it was published.")
@click.option("--language", metavar="TAG", help="Its language (default: detected; the rules know en and ru).")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), callback=_check_output,
              help="Write the draft Turtle to FILE (atomically); the review list goes to stdout.")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "turtle"]), default=None,
              help="stdout: the review list (text, the default with -o), the candidates as JSON, or the draft Turtle (the default without -o).")
@pass_state
def suggest_cmd(state: State, text_file: str, title: str, publisher: str, issued: str | None, url: str | None, language: str | None,
                output: Path | None, fmt: str | None) -> None:
    """Propose candidate facts from a new text (plain text or HTML; - for stdin): events,
    dates, places, participants, persons and posts, documents, topics, bodies and the next
    meeting, each with the passage it rests on. Nothing is written to the graph: review the
    draft, delete the blocks the text does not support, then kg add it.

    \b
    Example:
      kg suggest examples/texts/eco-apg-meeting-7.txt --title "ECO Prosecutors General meet" \\
          --publisher ECO --issued 2026-09-27 -o draft.ttl
      kg add --dry-run draft.ttl
    """
    location = "<stdin>" if text_file == "-" else text_file
    if text_file == "-":
        data = sys.stdin.buffer.read()
    else:
        try:
            data = Path(text_file).read_bytes()
        except OSError as exc:
            raise UsageError(f"cannot read {text_file}: {exc.strerror}") from exc
    content_type = "text/html" if text_file.lower().endswith((".html", ".htm", ".xhtml")) else None
    draft = state.graph.suggest(data, title=title, publisher=publisher, issued=issued, url=url, language=language,
                                content_type=content_type, location=location)
    for message in draft.messages:
        state.info(f"note: {message}")
    fmt = fmt or ("text" if output is not None else "turtle")
    if output is not None:
        emit(draft.turtle().encode("utf-8"), output)
        state.info(f"wrote {len(draft.candidates)} candidate(s) to {output}; check them with: kg add --dry-run {output}")
    if fmt == "json":
        emit((json.dumps(draft.as_json(), ensure_ascii=False, indent=2) + "\n").encode("utf-8"), None)
    elif fmt == "turtle":
        if output is None:
            emit(draft.turtle().encode("utf-8"), None)
    else:
        emit(draft.review().encode("utf-8"), None)


@cli.command("push")
@click.option("--endpoint", "target", metavar="URL", help="The store's SPARQL query endpoint (default: the global --endpoint or KG_ENDPOINT).")
@click.option("--graph-store", metavar="URL", help="Its Graph Store HTTP Protocol URL (default: derived for Oxigraph, Fuseki and Virtuoso).")
@click.option("--replace/--merge", default=True, show_default=True, help="Replace each graph on the store, or add to what it holds.")
@click.option("--user", metavar="NAME", envvar="KG_USER", help="Log in to the store as NAME (HTTP digest or basic), the password from KG_PASSWORD or --password-file.")
@click.option("--password-file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE", help="Read the --user password from FILE (its first line), never from the command line.")
@pass_state
def push_cmd(state: State, target: str | None, graph_store: str | None, replace: bool, user: str | None, password_file: Path | None) -> None:
    """Upload the local graph to a SPARQL 1.1 store: each file's named graph and their union
    as the default graph, so that `kg --endpoint URL ...` answers there as it does here.

    Uses the SPARQL 1.1 Graph Store HTTP Protocol (PUT with --replace, POST with --merge);
    --replace also removes the graphs of files that are gone. Afterwards the statements of
    every graph are counted on the endpoint and must match (exit 6 if not, or if the store
    refuses the upload).

    \b
    Example:
      oxigraph serve --location store --bind 127.0.0.1:7878 &
      kg push --endpoint http://127.0.0.1:7878/query
      kg push --endpoint http://localhost:3030/ds/sparql --merge
      KG_PASSWORD=... kg push --endpoint http://localhost:8890/sparql --user dba

    On Virtuoso, whose default graph cannot be written, the union goes to the named graph
    kgg:union, which `kg --endpoint` then reads as the default graph.
    """
    from kg import views

    endpoint = target or state.endpoint
    if not endpoint:
        raise UsageError("kg push needs the endpoint to upload to", hint="pass --endpoint URL, the store's SPARQL query endpoint (e.g. http://127.0.0.1:7878/query)")
    credentials = state.graph.credentials(user, password_file)  # a missing password fails before anything is built
    gsp, derived = state.graph.graph_store_url(endpoint, graph_store, authenticated=credentials is not None)  # a URL it cannot derive fails before the store is built
    if derived:
        state.info(f"graph store: {gsp} (derived from the endpoint, as {derived} lays it out; --graph-store URL to choose)")
    shown = views.push(state.graph.push(endpoint, graph_store=graph_store, merge=not replace, credentials=credentials))  # reads the local store, --endpoint or not
    for note in shown.notes:
        state.info(f"note: {note}")
    click.echo(shown.to_text(), nl=False)


# ---------------------------------------------------------------- looking around


@cli.command("describe")
@click.argument("term")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "turtle"]), default="text", show_default=True)
@output_option
@pass_state
def describe_cmd(state: State, term: str, fmt: str, output: Path | None) -> None:
    """Show what the graph says about an entity, given by IRI, prefixed name or label.

    Label search ignores case and accents and covers every language.

    \b
    Example:
      kg describe kgi:eco-apg-meeting-4
      kg describe turkiye
      kg describe "Таджикистан"
    """
    from kg import views

    state.store()
    shown = views.entity(state.graph, term)
    if fmt == "turtle":
        emit(shown.to_turtle(), output)
    elif fmt == "json":
        emit((json.dumps(shown.to_json(), indent=2, ensure_ascii=False) + "\n").encode("utf-8"), output)
    else:
        emit(shown.to_text().encode("utf-8"), output)


@cli.command("history")
@click.argument("term")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@output_option
@pass_state
def history_cmd(state: State, term: str, fmt: str, output: Path | None) -> None:
    """Every statement the graph has held about an entity, current and superseded, with
    the file, the source and its date, the passage, and when and why it was superseded.

    \b
    Example:
      kg history kgi:eco-apg-meeting-6
      kg history kgi:eco-apg-meeting-6 -f json
    """
    from kg import views

    shown = views.history(state.graph, term)
    if fmt == "json":
        emit((json.dumps(shown.to_json(), indent=2, ensure_ascii=False) + "\n").encode("utf-8"), output)
    else:
        emit(shown.to_text().encode("utf-8"), output)


@cli.command("stats")
@click.option("--inference", type=INFERENCE, default="none", show_default=True, help="Also count inferred triples.")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_state
def stats_cmd(state: State, inference: str, fmt: str) -> None:
    """Count statements (asserted, inferred), instances per class and statements per source file.

    \b
    Example:
      kg stats --inference owlrl
    """
    from kg import views

    state.store(inference)
    shown = views.stats(state.graph, inference)
    if fmt == "json":
        click.echo(json.dumps(shown.to_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(shown.to_text(), nl=False)


# ---------------------------------------------------------------- serving


# ---------------------------------------------------------------- publishing


@cli.command("docs")
@click.option("-o", "--out", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("build/docs"), show_default=True,
              help="Directory to write the pages into (created; other files in it are kept).")
@pass_state
def docs_cmd(state: State, out: Path) -> None:
    """Write the HTML documentation of the ontology, the vocabularies and the shapes.

    index.html (classes and properties, with examples from the graph), vocab.html (the
    concept schemes and how often each concept is used) and shapes.html (what each shape
    requires), plus docs.css. `kg serve` serves the same pages at /ontology/.

    \b
    Example:
      kg docs -o build/docs
    """
    written = state.graph.docs(out)
    click.echo(f"wrote {len(written)} file(s) to {out}: " + ", ".join(p.name for p in written))


@cli.command("dataset")
@click.option("--version", "version", metavar="X.Y.Z", help="State this release version and its downloads.")
@click.option("--sparql-endpoint", metavar="URL", help="State this SPARQL endpoint (void:sparqlEndpoint), e.g. where kg serve runs.")
@output_option
@pass_state
def dataset_cmd(state: State, version: str | None, sparql_endpoint: str | None, output: Path | None) -> None:
    """Print the VoID and DCAT description of the graph, generated from it: statements,
    entities, classes and properties (and per class and property), one subset per file
    with its sources, the licence, example resources; validated against its own shapes.

    \b
    Example:
      kg dataset -o void.ttl
    """
    emit(state.graph.dataset(version=version, endpoint=sparql_endpoint), output)


@cli.command("release")
@click.argument("version")
@click.option("--to", "root", type=click.Path(file_okay=False, path_type=Path), default=Path("build/releases"), show_default=True,
              help="Directory holding the releases; the bundle goes to DIR/VERSION/.")
@click.option("--sparql-endpoint", metavar="URL", help="State this SPARQL endpoint in the bundle's void.ttl.")
@pass_state
def release_cmd(state: State, version: str, root: Path, sparql_endpoint: str | None) -> None:
    """Write release VERSION (MAJOR.MINOR.PATCH): the graph in N-Quads, TriG, JSON-LD and
    Turtle (the current view), the ontology documentation, the dataset description,
    a changelog of the statements added, removed and superseded since the previous
    release in DIR, and SHA256SUMS. Any store can load the exports; the bundle is
    byte-for-byte the same for the same graph and version. The graph must pass
    validation; an existing or lower version is refused, and nothing is half-written.

    \b
    Example:
      kg release 1.0.0 --to build/releases
    """
    path = state.graph.release(version, root, endpoint=sparql_endpoint)
    files = sorted(p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file())
    click.echo(f"wrote release {version} to {path}: {len(files)} file(s)")
    for name in files:
        if "/" not in name:
            click.echo(f"  {name}")


@cli.command("draw")
@click.argument("kind", type=click.Choice(["timeline", "network", "matrix"]))
@click.option("--entity", metavar="TERM", help="Only what concerns this entity (IRI, CURIE or label): an organisation, a state, a meeting format or an event.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="The graph as it stood that day (the 6th Meeting is scheduled on 2025-06-01).")
@click.option("--years", metavar="YYYY[-YYYY]", help="Only the events that started in these years (timeline, network).")
@click.option("--by", type=click.Choice(["auto", "event", "series"]), default="auto", show_default=True,
              help="Network: one node per event, or per meeting format (series) with edges as wide as the events taken part in; "
                   "auto: per event up to 24 events.")
@click.option("-f", "--format", "fmt", type=click.Choice(formats.names("picture")), help="Picture format (default: from -o's suffix, else svg).")
@output_option
@pass_state
def draw_cmd(state: State, kind: str, entity: str | None, as_of: str | None, years: str | None, by: str, fmt: str | None,
             output: Path | None) -> None:
    """Draw a picture of the graph as SVG or PNG: a timeline of events (held and
    scheduled told apart), the participation network (who met whom where; dashed: a
    proposal made at an event by an actor not recorded as taking part), or the
    membership matrix (states x organisations, with roles and start years). Each has a
    title and a source line; PNGs are at 220 dpi, for print.

    \b
    Example:
      kg draw timeline -o timeline.svg
      kg draw network --entity kgi:eco-apg-meeting-4 -o network.png
      kg draw network --entity kgi:sco --years 2016-2020 --by event -o sco.png
      kg draw matrix -o memberships.svg
    """
    if fmt is None:
        fmt = (formats.from_suffix(output, "picture") if output is not None else None) or "svg"
    if as_of is not None:
        state.graph.day(as_of)
    if output is None and fmt == "png" and sys.stdout.isatty():
        raise UsageError("a PNG on a terminal would be unreadable", hint="write it to a file with -o FILE.png, or pipe it")
    emit(state.graph.draw(kind, entity=entity, fmt=fmt, as_of=as_of, by=by, years=years), output)


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on (0.0.0.0: every interface).")
@click.option("--port", type=click.IntRange(0, 65535), default=8787, show_default=True, help="Port (0: any free port).")
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes running queries: how many run at once (default: 8, or two per core if more).")
@click.option("--timeout", type=click.FloatRange(min=0.1), envvar="KG_SERVE_TIMEOUT", default=30.0, show_default=True,
              metavar="SECONDS", help="Stop a request's query after this long (HTTP 503); the server goes on.")
@click.option("--max-rows", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="Stop a query that returns more rows or statements than this (HTTP 503).")
@click.option("--max-body", type=click.IntRange(min=1024), default=1 << 20, show_default=True,
              help="Largest request body in bytes (HTTP 413 above it).")
@click.option("--base-url", metavar="URL",
              help="The server's public address, written in every absolute URL it gives (OpenAPI, VoID, the service "
                   "description, search results), e.g. https://graph.example.org/ behind a proxy. Default: http://HOST:PORT/.")
@click.option("--max-connections", type=click.IntRange(min=16), default=1024, show_default=True,
              help="Open connections; past it the longest idle ones are closed to make room.")
@click.option("--cache-mb", type=click.IntRange(min=0), default=64, show_default=True, metavar="MB",
              help="Memory for answers kept for repeated requests, per store version (0: none kept).")
@click.option("--allow-writes", is_flag=True,
              help="Let reviewers merge the facts they ticked at /suggest into the graph's files (as kg add does). Needs --token-file.")
@click.option("--token-file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="The reviewers who may write, one per line: NAME TOKEN (tokens of 16+ characters; the file chmod 600).")
@pass_state
def serve_cmd(state: State, host: str, port: int, workers: int | None, timeout: float, max_rows: int, max_body: int,
              base_url: str | None, max_connections: int, cache_mb: int = 64, allow_writes: bool = False,
              token_file: Path | None = None) -> None:
    """Serve the graph over HTTP: a read-only SPARQL endpoint, the stored queries as a web
    API, and web pages (stored queries, a SPARQL editor, a page for every entity).

    \b
    Examples:
      kg serve                         http://127.0.0.1:8787/ (pages), /sparql (endpoint)
      kg serve --port 0 --workers 4    any free port, four query workers
      kg serve --host 0.0.0.0 --base-url https://graph.example.org/
      kg serve --allow-writes --token-file reviewers.txt   /suggest may merge reviewed facts
      curl -H 'Accept: text/csv' 'http://127.0.0.1:8787/queries/delegations-at-meeting?event=kgi:eco-apg-meeting-4'
      curl --data-urlencode 'query=ASK { ?s a kg:Meeting }' http://127.0.0.1:8787/sparql

    Every query runs in a worker process under the time and size limits; SPARQL Update,
    SERVICE and FROM are refused, and the workers cannot open a network socket. Files
    changed by `kg add` are seen by the next request; a file that no longer loads leaves
    the last version that did in service (GET /health says why).
    """
    from kg.web.app import Settings
    from kg.web.front import Limits
    from kg.web.review import writes_from_options
    from kg.web.serve import make_server, run

    if base_url is not None:
        from urllib.parse import urlsplit

        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise UsageError(f"--base-url {base_url!r} is not an http(s) address", hint="write it as https://host[:port][/path]/")
        base_url = base_url.rstrip("/") + "/"
    endpoint = state.graph.endpoint
    writes = writes_from_options(allow_writes, token_file, endpoint)  # refused before anything starts
    state.store()  # build or open the store here, with a progress bar, before the workers start
    settings = Settings(timeout=timeout, max_rows=max_rows, max_body=max_body, writes=writes, cache_bytes=cache_mb << 20)
    limits = Limits(max_connections=max_connections, max_body=max_body)
    try:
        server, pool = make_server(state.graph, host=host, port=port, workers=workers, settings=settings, endpoint=endpoint,
                                   limits=limits, base_url=base_url)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", hint="choose another --port, or stop what uses it") from None
    run(server, pool, announce=lambda text: click.echo(text, err=True))


# ---------------------------------------------------------------- entry point


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code; errors become one line on stderr."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        cli.main(args=argv, prog_name="kg", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.Abort as exc:
        if isinstance(exc.__context__, KeyboardInterrupt) or isinstance(exc.__cause__, KeyboardInterrupt):
            # the query's worker was stopped with us (kg.sparql.limits.call)
            click.echo("kg: interrupted", err=True)
            return EXIT_INTERRUPTED
        click.echo("kg: aborted", err=True)
        return EXIT_INTERNAL
    except KeyboardInterrupt:
        click.echo("kg: interrupted", err=True)
        return EXIT_INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE if isinstance(exc, click.UsageError) else exc.exit_code
    except KgError as exc:
        if debug:
            raise
        click.echo(f"kg: error: {exc}", err=True)
        return exc.exit_code
    except SystemExit as exc:
        # click swaps stdout for this wrapper when the reader of a pipe went away
        if "PacifyFlushWrapper" in type(sys.stdout).__name__:
            return 0
        return exc.code if isinstance(exc.code, int) else 0
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug: say so plainly, the traceback only on request
        if debug:
            raise
        click.echo(f"kg: internal error: {type(exc).__name__}: {exc} (run again with --debug and please report it)", err=True)
        return EXIT_INTERNAL
    return 0


if __name__ == "__main__":
    sys.exit(main())
