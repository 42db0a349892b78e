"""Serve or publish the database with Datasette: read-only, with the project's metadata, limits,
templates, plugin and original files.

In: a built database (``ogi build``: ``build/ogi.db`` and ``build/originals/``) and the site
files of this repository (``metadata.yml``, ``templates/``, ``plugins/``). Out: the
``datasette serve`` command line (``ogi serve``), or the ``datasette publish`` command line
for a hosted service (``python -m ogi.publish cloudrun --service ogi-reports``).

The settings live here, in the repository, so every deployment runs with the same limits.
"""

from __future__ import annotations

import shlex
import sys
from importlib.metadata import version
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent

# Public site: bounded queries, no database download, no writes (the database is immutable).
SETTINGS = {
    "sql_time_limit_ms": 3000,
    "facet_time_limit_ms": 500,
    "max_returned_rows": 2000,
    "default_page_size": 50,
    "allow_download": "off",
    "default_facet_size": 20,
    # Long narrative sections would fill the screen; the row page and the JSON show them whole.
    "truncate_cells_html": 400,
}

# Packages a published site needs (the plugin in plugins/ is copied), pinned to the versions
# this site is tested with: Datasette 1.0 reads canned queries and settings from elsewhere.
PACKAGES = ("datasette", "datasette-vega", "datasette-dashboards")

# The folder of original files next to the database (see load.publish_original), served at /originals/.
ORIGINALS = "originals"


def site_path(name: str) -> Path:
    """A file or folder of the site (metadata.yml, templates, plugins): the working
    directory's if it has one, else this repository's."""
    for candidate in (Path(name), ROOT / name):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"{name} not found: run from the project folder")


def metadata_path() -> Path:
    return site_path("metadata.yml")


def site_options(db: Path, metadata: Path | None = None) -> list[str]:
    """The options serve and publish share: metadata, templates, plugin, originals."""
    options = ["--metadata", str(metadata or metadata_path())]
    options += ["--template-dir", str(site_path("templates")), "--plugins-dir", str(site_path("plugins"))]
    originals = db.parent / ORIGINALS
    if originals.is_dir():
        options += ["--static", f"{ORIGINALS}:{originals}"]
    return options


def setting_options() -> list[str]:
    options = []
    for name, value in SETTINGS.items():
        options += ["--setting", name, str(value)]
    return options


def serve_command(db: Path, host: str, port: int, metadata: Path | None = None) -> list[str]:
    command = [sys.executable, "-m", "datasette", "serve", "-i", str(db)]
    command += site_options(db, metadata)
    command += ["--host", host, "--port", str(port)]
    return command + setting_options()


def publish_command(service: str, db: Path, extra: tuple[str, ...] = ()) -> list[str]:
    """``datasette publish <service>`` with everything the site needs. Hosted services serve
    the database immutable (-i) themselves; the settings travel as --extra-options."""
    command = ["datasette", "publish", service, str(db)]
    command += site_options(db)
    for package in PACKAGES:
        command += ["--install", f"{package}=={version(package)}"]
    command += ["--extra-options", shlex.join(setting_options())]
    return command + list(extra)


@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("service")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=Path("build/ogi.db"), show_default=True)
@click.argument("extra", nargs=-1, type=click.UNPROCESSED)
def main(service: str, db_path: Path, extra: tuple[str, ...]):
    """Print the `datasette publish SERVICE` command for this site (cloudrun, heroku, or a
    service of a publish plugin such as fly or vercel); EXTRA options are passed on."""
    click.echo(shlex.join(publish_command(service, db_path, extra)))


if __name__ == "__main__":
    main()
