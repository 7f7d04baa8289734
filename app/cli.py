"""The `incidentdb` command: ingest, serve, db, eval."""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from pydantic import AliasChoices, ValidationError
from sqlalchemy.exc import OperationalError

from app.db import migrate
from app.db.session import create_db_engine
from app.errors import InputError
from app.settings import Settings, get_settings

cli = typer.Typer(
    name="incidentdb",
    help="A REST API over diplomatic incidents, with sourced, checkable statements.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_cli = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
cli.add_typer(db_cli, name="db")


def _known_encoding(name: str | None) -> str | None:
    from app.ingest.formats.encoding import is_known_encoding

    if name is not None and not is_known_encoding(name):
        raise typer.BadParameter(f"unknown encoding {name!r} (e.g. cp1252, latin-1, utf-16)")
    return name


@cli.command()
def ingest(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Seed folders (actors.yaml, incidents.yaml, sources.yaml, articles/) or "
            "article files (.txt, .html, .htm, .jsonl, .csv)."
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(
            help="Read articles in this encoding (e.g. cp1252, latin-1) instead of UTF-8.",
            callback=_known_encoding,
        ),
    ] = None,
    prune: Annotated[
        bool,
        typer.Option(
            "--prune",
            help="Also delete curated actors, incidents and sources the PATHs no longer hold "
            "(with their statements and mentions). Prints the plan first.",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would change; write nothing.")
    ] = False,
    yes: Annotated[
        bool,
        typer.Option("--yes", help="Let --prune delete more than a quarter of a table."),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Processes extracting articles (default: one per CPU from 1,000 articles "
            "on, else one; starting one costs about a second). What is stored does not "
            "depend on it.",
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", help="No progress bar, even on a terminal.")
    ] = False,
) -> None:
    """Load seeds and articles into DATABASE_URL in one transaction (idempotent)."""
    from app.ingest import pipeline
    from app.ingest.prune import PruneRefused

    if prune and not paths:
        # Pruning against an implicit default is how a typo empties a database.
        raise typer.BadParameter(
            "name every PATH to keep: --prune deletes what they do not hold",
            param_hint="'--prune'",
        )
    settings = get_settings()
    targets = paths or [settings.seeds_dir]
    migrate.upgrade(settings.database_url)
    engine = create_db_engine(settings.database_url, writer=True, settings=settings)
    try:
        with _progress_bar(quiet) as progress:
            report = pipeline.run(
                targets,
                engine,
                max_article_bytes=settings.max_article_bytes,
                encoding=encoding,
                progress=progress,
                prune=prune,
                yes=yes,
                dry_run=dry_run,
                announce=typer.echo,
                workers=workers,
            )
    except InputError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        raise typer.Exit(1) from None
    except PruneRefused as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    typer.echo(report.summary())


@contextmanager
def _progress_bar(quiet: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar (count, rate, time left) on a terminal; silent with --quiet or
    when the output goes to a file or a pipe, where it would only be noise."""
    if quiet or not (sys.stdout.isatty() and sys.stderr.isatty()):
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        # rich's own estimate of items per second over the last 30 s
        TextColumn("{task.fields[rate]} articles/s"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, transient=True, console=Console(stderr=True)) as progress:
        task = progress.add_task("extracting", total=None, rate="-")

        def update(done: int, total: int) -> None:
            speed = progress.tasks[task].speed
            rate = f"{speed:,.0f}" if speed else "-"
            progress.update(task, completed=done, total=total, rate=rate)

        yield update


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port.")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Serve the HTTP API with uvicorn."""
    import uvicorn

    settings = get_settings()
    engine = create_db_engine(settings.database_url, settings=settings)
    try:
        if not migrate.is_up_to_date(engine):
            typer.echo(
                "the database schema is not up to date: run `incidentdb db upgrade` "
                "(or `incidentdb ingest`) first",
                err=True,
            )
            raise typer.Exit(1)
    except OperationalError as exc:
        typer.echo(f"cannot reach the database: {exc.orig}", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level="info",
        access_log=False,
        proxy_headers=False,
        timeout_keep_alive=settings.keep_alive_seconds,
    )


@db_cli.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Bring the schema up to REVISION (default: the newest)."""
    migrate.upgrade(get_settings().database_url, revision)
    typer.echo(f"database at revision {revision}")


@db_cli.command("downgrade")
def db_downgrade(revision: str = typer.Argument(..., help="Target revision, e.g. base.")) -> None:
    """Take the schema down to REVISION."""
    migrate.downgrade(get_settings().database_url, revision)
    typer.echo(f"database at revision {revision}")


@db_cli.command("current")
def db_current() -> None:
    """Print the schema revision the database is at."""
    engine = create_db_engine(get_settings().database_url)
    try:
        typer.echo(migrate.current_revision(engine) or "(empty)")
    finally:
        engine.dispose()


@cli.command()
def verify() -> None:
    """Re-check every source's hash and every statement's and evidence span's offsets."""
    from sqlalchemy.orm import Session

    from app.sources import service as sources_service

    engine = create_db_engine(get_settings().database_url)
    sources = statements = evidence = drifting = 0
    try:
        with Session(engine) as session:
            for result in sources_service.verify_all(session):
                sources += 1
                statements += result.checked
                evidence += result.evidence_checked
                if result.ok:
                    continue
                drifting += 1
                hash_state = "ok" if result.content_hash_ok else "MISMATCH"
                typer.echo(
                    f"{result.source.slug}: content hash {hash_state}, "
                    f"{len(result.drifted)} drifted statements, "
                    f"{len(result.evidence_drifted)} drifted evidence spans"
                )
                for drift in result.drifted:
                    typer.echo(
                        f"  statement {drift.statement_id} [{drift.start}:{drift.end}]: "
                        f"stored {drift.stored[:60]!r}, found {drift.found[:60]!r}"
                    )
                for span in result.evidence_drifted:
                    typer.echo(
                        f"  incident {span.incident_id} evidence [{span.start}:{span.end}]: "
                        f"stored {span.stored[:60]!r}, found {span.found[:60]!r}"
                    )
    finally:
        engine.dispose()
    typer.echo(
        f"verified {sources} sources, {statements} statements and {evidence} evidence spans: "
        f"{drifting} with drift"
    )
    if drifting:
        raise typer.Exit(1)


@cli.command("eval")
def evaluate(
    corpus: Annotated[
        Path | None,
        typer.Argument(
            help="A folder with articles/, actors.yaml, incidents.yaml and gold.yaml, e.g. "
            "tests/extraction/heldout/final. Default: the seeds and tests/extraction/gold.yaml."
        ),
    ] = None,
) -> None:
    """Score the statement extraction (precision, recall, attribution) against a gold set."""
    from app.extraction import evaluate as evaluation

    argv: list[str] = []
    if corpus is not None:
        argv = [
            "--articles", str(corpus / "articles"),
            "--actors", str(corpus / "actors.yaml"),
            "--incidents", str(corpus / "incidents.yaml"),
            "--gold", str(corpus / "gold.yaml"),
        ]  # fmt: skip
    raise typer.Exit(evaluation.main(argv))


def main(argv: list[str] | None = None) -> int:
    """Run the CLI with `argv`; return the exit status instead of exiting."""
    try:
        result = cli(args=argv, prog_name="incidentdb", standalone_mode=False)
    except typer.Abort:
        typer.echo("aborted", err=True)
        return 1
    except typer.TyperException as exc:
        # Typer (0.26 on) raises its own vendored click's exceptions, all subclasses of
        # TyperException; catching the separate `click` package's let them escape as traces.
        line = _usage_error(exc)
        if line:
            typer.echo(line, err=True)
        return exc.exit_code
    except OperationalError as exc:
        typer.echo(f"database error: {exc.orig}", err=True)
        return 1
    except ValidationError as exc:
        if exc.title != Settings.__name__:
            raise
        # A mistyped environment variable is a usage error like a mistyped option.
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else ""
            typer.echo(
                f"incidentdb: bad setting {_variable(field)}={error.get('input')!r}: "
                f"{error['msg']}",
                err=True,
            )
        return 2
    # typer returns the exit code of typer.Exit, or the command's own (None) return value.
    return result if isinstance(result, int) else 0


def _usage_error(exc: typer.TyperException) -> str | None:
    """One line naming the command and where its help is (None: typer has shown the help)."""
    message = exc.format_message()
    if not message.strip():
        return None  # a group called alone: rich has printed its help page, which is the answer
    if "\n" in message:
        return message.rstrip()  # the same, rendered without rich: the page is the message
    ctx = getattr(exc, "ctx", None)
    command = ctx.command_path if ctx is not None else "incidentdb"
    return f"{command}: {message} (see '{command} --help')"


def _variable(field: str) -> str:
    """The environment variable that sets a Settings field."""
    info = Settings.model_fields.get(field)
    alias = info.validation_alias if info is not None else None
    if isinstance(alias, AliasChoices) and isinstance(alias.choices[0], str):
        return alias.choices[0]
    return f"INCIDENTDB_{field.upper()}"


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
