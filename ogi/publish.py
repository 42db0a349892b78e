"""Serve the database with Datasette: read-only, with the project's metadata and limits.

In: a built database and ``metadata.yml``. Out: the ``datasette serve`` command line.
The settings live here, in the repository, so every deployment runs with the same limits.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Public site: bounded queries, no database download, no writes (the database is immutable).
SETTINGS = {
    "sql_time_limit_ms": 3000,
    "facet_time_limit_ms": 500,
    "max_returned_rows": 2000,
    "default_page_size": 50,
    "allow_download": "off",
    "default_facet_size": 20,
}


def metadata_path() -> Path:
    """metadata.yml of the working directory, else the one at the top of this repository."""
    for candidate in (Path("metadata.yml"), Path(__file__).resolve().parent.parent / "metadata.yml"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("metadata.yml not found: run from the project folder or pass --metadata")


def serve_command(db: Path, host: str, port: int, metadata: Path | None = None) -> list[str]:
    command = [sys.executable, "-m", "datasette", "serve", "-i", str(db), "--metadata", str(metadata or metadata_path())]
    command += ["--host", host, "--port", str(port)]
    for name, value in SETTINGS.items():
        command += ["--setting", name, str(value)]
    return command
