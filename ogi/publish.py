"""Serve or publish the database with Datasette: read-only, with the project's metadata, limits,
templates, plugin and original files.

In: a built database (``ogi build``: ``build/ogi.db`` and ``build/originals/``) and the site
files inside this package (``ogi/site/``: ``metadata.yml``, a link to the project's,
``templates/``, ``plugins/``), so an installed wheel serves the same site. Out: the
``datasette serve`` command line (``ogi serve``), or the ``datasette publish`` command line
for a hosted service (``python -m ogi.publish cloudrun --service ogi-reports``).

The settings live here, in the repository, so every deployment runs with the same limits.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

import click

# The site's files ship inside the package: a wheel install serves the same site as a checkout.
SITE = Path(__file__).resolve().parent / "site"

# Public site: bounded queries, the database downloadable, no writes (the database is immutable).
SETTINGS = {
    "sql_time_limit_ms": 3000,
    # SQL threads: visitors' own SQL takes at most two at once (site/plugins/ogi_site.py:
    # asgi_wrapper), so the others always serve ordinary pages.
    "num_sql_threads": 5,
    "facet_time_limit_ms": 500,
    "max_returned_rows": 2000,
    "default_page_size": 50,
    # Open data: the whole database downloads at /ogi.db (served immutable, so it is whole).
    "allow_download": "on",
    "default_facet_size": 20,
    # Long narrative sections would fill the screen; the row page and the JSON show them whole.
    "truncate_cells_html": 400,
}

# Packages a published site needs (the plugin in site/plugins/ is copied), pinned to the versions
# this site is tested with: Datasette 1.0 reads canned queries and settings from elsewhere.
# opencc: the plugin folds Traditional and variant characters of a search to Simplified;
# pypdfium2 and pillow draw a PDF page for the viewer; lxml and python-docx rebuild a web
# page's or a DOCX's table there (with the ogi package itself installed; without it the viewer
# says so and links the file).
PACKAGES = ("datasette", "datasette-vega", "datasette-dashboards", "opencc", "pypdfium2", "pillow", "lxml", "python-docx")

# The folder of original files next to the database (see load._publish), served at /originals/
# by the plugin's own route only (site/plugins/ogi_site.py: serve_original), never by Datasette's
# generic static handler: the plugin's route matches every path under /originals/ and is
# checked first, so the --static mount only ships the files (a hosted service has no other
# way to receive a folder); ``ogi serve`` also names the folder in OGI_ORIGINALS.
ORIGINALS = "originals"
ORIGINALS_ENV = "OGI_ORIGINALS"
# Where ``ogi serve`` keeps the snapshot it serves (a hard link to the database it started
# with), so a rebuild's new file never mixes with the old one inside one server.
SERVING = ".ogi-serving"


def metadata_path() -> Path:
    """The site's metadata (tables, questions, dashboards); ``--metadata`` names another.
    Never the working directory's own files: a folder named ``plugins`` elsewhere is not ours
    to run."""
    return SITE / "metadata.yml"


def site_options(db: Path, metadata: Path | None = None) -> list[str]:
    """The options serve and publish share: metadata, templates, plugin."""
    options = ["--metadata", str(metadata or metadata_path())]
    options += ["--template-dir", str(SITE / "templates"), "--plugins-dir", str(SITE / "plugins")]
    return options


def originals_options(originals: Path) -> list[str]:
    """A hosted service gets the files only as a --static folder; the plugin's route answers
    every path under /originals/ before Datasette's static handler could (404 for anything but
    the exact name of a report's file), so the mount only ships the files."""
    return ["--static", f"{ORIGINALS}:{originals}"] if originals.is_dir() else []


def setting_options() -> list[str]:
    # --cors: the read-only JSON API may be fetched by notebooks and pages on other sites.
    options = ["--cors"]
    for name, value in SETTINGS.items():
        options += ["--setting", name, str(value)]
    return options


def serve_command(db: Path, host: str, port: int, metadata: Path | None = None, originals: Path | None = None) -> list[str]:
    """``datasette serve`` for ``db``; ``originals``: default the folder next to it."""
    command = [sys.executable, "-m", "datasette", "serve", "-i", str(db)]
    command += site_options(db, metadata) + originals_options(originals or db.parent / ORIGINALS)
    command += ["--host", host, "--port", str(port)]
    return command + setting_options()


def serve_env(originals: Path) -> dict[str, str]:
    """The environment of the server: where the plugin finds the original files."""
    return dict(os.environ, **{ORIGINALS_ENV: str(originals.resolve())})


def _identity(path: Path):
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def _snapshot(db: Path) -> Path:
    """A hard link to the database as it is now, in a folder of this process: what the server
    opens. A rebuild replaces ``db`` (a new file) and never touches the snapshot's file."""
    folder = db.parent / SERVING
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():  # snapshots of servers that are gone
        if old.name.split("-")[0].isdigit() and not _alive(int(old.name.split("-")[0])):
            shutil.rmtree(old, ignore_errors=True)
    mine = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=folder))
    link = mine / db.name  # same name: Datasette names the database after the file
    try:
        os.link(db, link)
    except OSError:
        shutil.rmtree(mine, ignore_errors=True)
        return db  # no hard links here: serve the file itself (restarted all the same)
    return link


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def serve_watching(db: Path, host: str, port: int, metadata: Path | None = None, poll: float = 1.0, echo=print) -> int:
    """Serve ``db`` and restart the server when a build replaces it.

    The server reads a hard-linked snapshot of the database, so all its worker threads answer
    from one build however long it runs; when ``db`` is replaced, the server is stopped and a
    new one started on the new database (a second or two without answers, never mixed ones).
    Stops, and stops the server, on SIGTERM, SIGINT or SIGHUP."""
    stopping = []

    def stop(signum, frame):
        stopping.append(signum)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, stop)
    env = serve_env(db.parent / ORIGINALS)
    code = 0
    snapshot = None
    try:
        while not stopping:
            seen = _identity(db)
            snapshot = _snapshot(db)
            server = subprocess.Popen(serve_command(snapshot, host, port, metadata, db.parent / ORIGINALS), env=env)
            replaced = False
            while not stopping:
                try:
                    code = server.wait(timeout=poll)
                    break  # the server stopped by itself
                except subprocess.TimeoutExpired:
                    pass
                now = _identity(db)
                if now is not None and now != seen:
                    echo(f"{db} was rebuilt: restarting the server on the new database")
                    replaced = True
                    break
            if server.poll() is None:
                server.terminate()
                try:
                    server.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
            if snapshot != db:
                shutil.rmtree(snapshot.parent, ignore_errors=True)
            snapshot = None
            if not replaced:
                break
    finally:
        if snapshot is not None and snapshot != db:
            shutil.rmtree(snapshot.parent, ignore_errors=True)
    return 0 if stopping else code


def publish_command(service: str, db: Path, extra: tuple[str, ...] = ()) -> list[str]:
    """``datasette publish <service>`` with everything the site needs. Hosted services serve
    the database immutable (-i) themselves; the settings travel as --extra-options."""
    command = ["datasette", "publish", service, str(db)]
    command += site_options(db) + originals_options(db.parent / ORIGINALS)
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
