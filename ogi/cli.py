"""The ``ogi`` command: parse one report, build the database, serve the site."""

from __future__ import annotations

import json
import os
import sys
from importlib import resources
from pathlib import Path

import click

from . import load, publish
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
def build(inputs: tuple[Path, ...], db_path: Path, corrections_path: Path | None, quiet: bool):
    """Parse every file under INPUTS (default: the bundled sample reports) into the database.

    A sources.csv (file,url,published) beside the inputs says where and when files were published."""
    roots = list(inputs) or [sample_reports()]
    if corrections_path is None and Path(CORRECTIONS).is_file():
        corrections_path = Path(CORRECTIONS)
    try:
        summary = load.build(roots, db_path, progress=(lambda m: None) if quiet else (lambda m: click.echo(m, err=True)),
                             corrections_path=corrections_path)
    except (FileNotFoundError, ValueError) as e:
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


@cli.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=DEFAULT_DB, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--metadata", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None, help="Default: metadata.yml of this project.")
def serve(db_path: Path, host: str, port: int, metadata: Path | None):
    """Serve the database read-only with Datasette: tables, questions, search, the dashboard,
    and the original files (the originals/ folder next to the database)."""
    command = publish.serve_command(db_path, host, port, metadata)
    click.echo(f"Serving {db_path} at http://{host}:{port}/", err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    # Become the server rather than start it as a child: stopping `ogi serve` (Ctrl-C, a
    # test's terminate()) must stop the server, not leave it running without a parent.
    os.execv(command[0], command)


if __name__ == "__main__":
    cli()
