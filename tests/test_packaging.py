"""A wheel install serves the same site as a checkout: everything the package needs at run time
(the plugin, the templates, the metadata, the vocabulary, the sample reports) ships inside it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import httpx
import pytest

from conftest import ROOT, serving


@pytest.fixture(scope="module")
def unpacked_wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # built from a copy: setuptools reuses its build/lib folder, whose old files would hide a
    # file missing from the package data
    source = out / "source"
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", "__pycache__", ".hypothesis", ".pytest_cache"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(out), str(source)],
                   check=True, capture_output=True, timeout=300)
    wheel = next(out.glob("ogi_reports-*.whl"))
    target = out / "site-packages"
    with zipfile.ZipFile(wheel) as z:
        z.extractall(target)
    return target


def test_the_wheel_carries_the_site(unpacked_wheel):
    site = unpacked_wheel / "ogi" / "site"
    shipped = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    in_checkout = {p.relative_to(ROOT / "ogi" / "site").as_posix() for p in (ROOT / "ogi" / "site").rglob("*")
                   if p.is_file() and "__pycache__" not in p.parts}
    assert shipped == in_checkout
    # the metadata is the project's (a link in the checkout, a file in the wheel)
    assert (site / "metadata.yml").read_bytes() == (ROOT / "metadata.yml").read_bytes()


def test_an_installed_wheel_builds_and_serves_the_site_from_anywhere(unpacked_wheel, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # a folder of someone else's plugins where the server starts is not run
    (elsewhere / "plugins").mkdir()
    (elsewhere / "plugins" / "evil.py").write_text("raise SystemExit('a plugin of the working directory ran')")
    env = dict(os.environ, PYTHONPATH=str(unpacked_wheel))
    where = subprocess.run([sys.executable, "-c", "import ogi; print(ogi.__file__)"], cwd=elsewhere, env=env,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).is_relative_to(unpacked_wheel)  # the wheel's copy, not the checkout

    build = subprocess.run([sys.executable, "-m", "ogi.cli", "build", "--db", "site/ogi.db"], cwd=elsewhere, env=env,
                           capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr
    with serving(elsewhere / "site" / "ogi.db", cwd=elsewhere, env=env) as base:
        plugins = {p["name"] for p in httpx.get(base + "/-/plugins.json", timeout=10).json()}
        assert "ogi_site.py" in plugins and "evil.py" not in plugins
        home = httpx.get(base + "/", timeout=10).text
        assert "政府信息公开" in home and "/-/about" in home  # the project's own home page template
        reports = httpx.get(base + "/ogi/reports.json", params={"_shape": "array", "_col": "agency"}, timeout=10).json()
        assert len(reports) == 5  # the five bundled sample reports
        about = httpx.get(base + "/-/about", timeout=10)
        assert about.status_code == 200 and "ogi_about" not in about.text
        question = httpx.get(base + "/ogi/refusals_by_agency.json", params={"_shape": "array", "min_answered": "0"}, timeout=10)
        assert question.status_code == 200 and len(question.json()) == 5
