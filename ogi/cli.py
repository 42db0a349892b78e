"""The ``ogi`` command: parse one report, build the database, serve the site."""

from __future__ import annotations

import json
import os
import sys
from importlib import resources
from pathlib import Path

import click

from dataclasses import fields

from . import load, publish
from .limits import Limits
from .model import ParseError
from .parse import as_json, parse_file

DEFAULT_DB = Path("build/ogi.db")
CORRECTIONS = "corrections.csv"  # the repository's, reviewed like code


def sample_reports() -> Path:
    """The bundled sample reports (five real reports, as text)."""
    return Path(str(resources.files("ogi").joinpath("samples")))


@click.group()
@click.version_option(package_name="ogi-reports")
def cli():
    """Chinese open-government-information annual reports -> SQLite -> Datasette."""


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--compact", is_flag=True, help="One line of JSON instead of indented.")
def parse(file: Path, compact: bool):
    """Print one report as JSON: agency, year, format, region, the three tables by key,
    and where every value was read (provenance), the identity checks and warnings."""
    try:
        report = parse_file(file)
    except ParseError as e:
        click.echo(f"ogi parse: {file}: {e}", err=True)
        sys.exit(1)
    click.echo(json.dumps(as_json(report), ensure_ascii=False, indent=None if compact else 2))


@cli.command()
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB, show_default=True)
@click.option(
    "--corrections", "corrections_path", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
    help=f"Maintainers' corrections to apply (default: ./{CORRECTIONS} when present).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary.")
@click.option("--strict", is_flag=True, help="Exit 2 when any file could not be read or parsed (status error), for CI.")
@click.option("--limit", "limit_options", multiple=True, metavar="NAME=VALUE",
              help="Change a limit on one file's parse: " + ", ".join(f"{f.name} (default {f.default})" for f in fields(Limits)) + ".")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Files parsed at once (default: cores, at most 4).")
@click.option("--no-cache", "no_cache", is_flag=True, help="Parse every file again instead of reusing unchanged files' parses.")
def build(inputs: tuple[Path, ...], db_path: Path, corrections_path: Path | None, quiet: bool, strict: bool,
          limit_options: tuple[str, ...], workers: int | None, no_cache: bool):
    """Parse every file under INPUTS (default: the bundled sample reports) into the database.

    A sources.csv (file,url,published) beside the inputs says where and when files were published.
    Unchanged files reuse their parse (ogi-cache/ next to the database); every file is parsed
    in a worker process within the limits (--limit); a second build of the same database
    waits for nothing: it is refused while the first runs."""
    roots = list(inputs) or [sample_reports()]
    if corrections_path is None and Path(CORRECTIONS).is_file():
        corrections_path = Path(CORRECTIONS)
    try:
        limits = Limits().replace(list(limit_options))
        summary = load.build(roots, db_path, progress=(lambda m: None) if quiet else (lambda m: click.echo(m, err=True)),
                             corrections_path=corrections_path, limits=limits, workers=workers, use_cache=not no_cache)
    except (FileNotFoundError, ValueError, load.BuildLocked) as e:
        click.echo(f"ogi build: {e}", err=True)
        sys.exit(1)
    statuses = ", ".join(f"{n} {status}" for status, n in sorted(summary.by_status.items()))
    click.echo(
        f"{db_path}: {summary.files} files ({statuses}); {summary.reports} reports, "
        f"{summary.facts} facts, {summary.failed_checks} failing identity checks"
    )
    if corrections_path:
        counts = ", ".join(f"{n} {status}" for status, n in sorted(summary.corrections.items())) or "none"
        click.echo(f"corrections ({corrections_path}): {counts}")
        for problem in summary.correction_problems:
            click.echo(f"  {problem}")
    changes = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in summary.changes.items() if n)
    click.echo(f"version {summary.version}: " + (changes or ("nothing changed" if summary.changes else "first build here")))
    n = summary.incremental
    click.echo(f"files: {n.get('new', 0)} new, {n.get('changed', 0)} changed (parsed); {n.get('reused', 0)} unchanged "
               f"(parse reused); {n.get('vanished', 0)} gone since the last build"
               + (f"; {summary.workers_replaced} worker processes replaced after a timeout or crash" if summary.workers_replaced else ""))
    if strict and summary.failed:
        click.echo(f"ogi build --strict: {summary.failed} files could not be read or parsed (status error in sources)", err=True)
        sys.exit(2)


@cli.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=DEFAULT_DB, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--metadata", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None, help="Default: metadata.yml of this project.")
@click.option("--watch/--no-watch", default=True, show_default=True,
              help="Restart the server on the new database when a build replaces it.")
def serve(db_path: Path, host: str, port: int, metadata: Path | None, watch: bool):
    """Serve the database read-only with Datasette: tables, questions, search, the dashboard,
    and the original files (the originals/ folder next to the database).

    With --watch (the default) the server answers from a snapshot of the database and is
    restarted on the new one when `ogi build` replaces it: never mixed answers from two builds."""
    click.echo(f"Serving {db_path} at http://{host}:{port}/", err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    if watch:
        sys.exit(publish.serve_watching(db_path, host, port, metadata, echo=lambda m: click.echo(m, err=True)))
    # Become the server rather than start it as a child: stopping `ogi serve` (Ctrl-C, a
    # test's terminate()) must stop the server, not leave it running without a parent.
    command = publish.serve_command(db_path, host, port, metadata)
    os.execve(command[0], command, publish.serve_env(db_path.parent / publish.ORIGINALS))


if __name__ == "__main__":
    cli()
