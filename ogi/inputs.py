"""Find the input files of a build, safely, and read their bytes once.

In: the folders and files given to ``ogi build``, and the build's own outputs (the database,
its lock and temporary files, ``originals/``, the parse cache) to leave out. Out: one
``Entry`` per thing found, in a stable order, each either a regular file to read or a
reason, in words a maintainer acts on, why it was not read. Nothing here opens a file that
is not a regular file, follows a link out of the input folders, or hangs:

- hidden files and folders (name starting with ``.``) are not read; each leaves an entry
  (a hidden folder one entry, not one per file inside);
- a symbolic link to a regular file inside one of the input folders is read like that file
  (usually a ``duplicate`` of it); a link to anything outside the input folders, to a folder,
  to nothing (dangling) or to itself (a loop) is not followed, and says so. Folders are only
  ever entered through real folders, so every file is found once and no walk can loop;
- named pipes (FIFOs), devices and sockets are never opened;
- a file name that is not valid UTF-8 is shown with ``\\xNN`` escapes and still read;
- a folder that cannot be listed leaves an entry and the walk goes on.

``read_bytes`` opens a file without following a last link and without blocking, checks it is
still a regular file, refuses it past the size limit, and hashes it (optionally copying the
very bytes it hashed). Paths in entries are relative to the input folder: no absolute path of
the build machine ever reaches the database.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

FILE = "file"  # a regular file to read
SKIPPED = "skipped"  # found, deliberately not read (the reason says why)
ERROR = "error"  # could not be looked at (a folder that cannot be listed)


_open = os.open  # one place to open an input (tests make it fail as an unreadable file would)


class InputError(Exception):
    """A file that cannot be read; the message is one sentence without any absolute path."""


@dataclass
class Entry:
    path: Path  # where it is (as the walk found it; for a followed link, the link)
    root: Path  # the input folder it was found under
    relative: str  # printable, relative to root: what the database shows
    name: str  # printable file name
    kind: str  # FILE, SKIPPED or ERROR
    reason: str | None = None  # for SKIPPED and ERROR
    note: str | None = None  # for FILE: something worth knowing (link followed, name not UTF-8)
    target: Path | None = None  # for a followed link: the regular file it points to


def printable(name: str) -> str:
    """A file name as text: names that are not valid UTF-8 with their odd bytes as \\xNN."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", errors="backslashreplace")


def _kind_of(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _inside(path: Path, folders: list[Path]) -> bool:
    return any(path == f or f in path.parents for f in folders)


def _real(path: Path) -> Path | None:
    try:
        return Path(os.path.realpath(path))
    except (OSError, ValueError):
        return None


def discover(inputs: list[Path], exclude: list[Path] = ()) -> list[Entry]:
    """Every entry under the inputs, sorted within each folder by name.

    ``exclude``: the build's own outputs (files or folders); anything at or below them is
    left out, without an entry (they are not inputs: a database inside an input folder). A missing input raises FileNotFoundError (a typo on
    the command line stops the build before it starts)."""
    excluded = [r for r in (_real(p) for p in exclude) if r is not None]
    roots: list[tuple[Path, Path]] = []  # (root as given, its real path)
    for given in inputs:
        if not given.exists():
            raise FileNotFoundError(f"{given}: no such file or folder")
        real = Path(os.path.realpath(given))
        roots.append((given, real))
    folders = [real for _, real in roots if real.is_dir()]
    entries: list[Entry] = []
    for given, real in roots:
        if real.is_file():
            root = given.parent
            entries.append(_entry(given, root, given.name, folders + [real], excluded))
        elif real.is_dir():
            _walk(given, given, "", folders, excluded, entries)
        else:
            entries.append(Entry(given, given.parent, printable(given.name), printable(given.name), SKIPPED,
                                 f"{_describe(given)}, not a file or folder: not opened"))
    return entries


def _describe(path: Path) -> str:
    try:
        return _kind_of(os.stat(path).st_mode)
    except OSError:
        return "not a regular file"


def _walk(folder: Path, root: Path, prefix: str, folders: list[Path], excluded: list[Path], out: list[Entry]) -> None:
    try:
        with os.scandir(folder) as listing:
            names = sorted((d.name for d in listing), key=lambda n: os.fsencode(n))
    except OSError as e:
        out.append(Entry(folder, root, prefix.rstrip("/") or ".", printable(folder.name), ERROR,
                         f"folder cannot be listed ({e.strerror or type(e).__name__}); its files were not read"))
        return
    for name in names:
        path = folder / name
        relative = prefix + printable(name)
        try:
            info = os.lstat(path)
        except OSError as e:
            out.append(Entry(path, root, relative, printable(name), ERROR, f"cannot be looked at ({e.strerror})"))
            continue
        real = _real(path)
        if real is not None and _inside(real, excluded) and not stat.S_ISLNK(info.st_mode):
            continue  # the build's own output (database, lock, cache, originals): not an input, no row
        if name.startswith("."):
            what = "folder" if stat.S_ISDIR(info.st_mode) else "file"
            out.append(Entry(path, root, relative, printable(name), SKIPPED,
                             f"hidden {what} (its name starts with '.'): hidden files and folders are not read; rename it to include it"))
            continue
        if stat.S_ISDIR(info.st_mode):
            _walk(path, root, relative + "/", folders, excluded, out)
        elif stat.S_ISREG(info.st_mode):
            out.append(_file_entry(path, root, relative, name))
        elif stat.S_ISLNK(info.st_mode):
            out.append(_link_entry(path, root, relative, name, folders, excluded))
        else:
            out.append(Entry(path, root, relative, printable(name), SKIPPED,
                             f"{_kind_of(info.st_mode)}, not a file: not opened"))


def _file_entry(path: Path, root: Path, relative: str, name: str) -> Entry:
    shown = printable(name)
    note = None
    if shown != name:
        note = "the file name is not valid UTF-8: shown with \\xNN escapes for the bytes that are not"
    return Entry(path, root, relative, shown, FILE, note=note)


def _entry(path: Path, root: Path, relative: str, folders: list[Path], excluded: list[Path]) -> Entry:
    """An input given by name on the command line (not found by a walk)."""
    if path.is_symlink():
        return _link_entry(path, root, relative, path.name, folders, excluded)
    return _file_entry(path, root, printable(relative), path.name)


def _link_entry(path: Path, root: Path, relative: str, name: str, folders: list[Path], excluded: list[Path]) -> Entry:
    """A symbolic link: followed only to a regular file inside the input folders."""
    shown = printable(name)
    try:
        target_info = os.stat(path)  # follows the link
    except OSError as e:
        if e.errno == errno.ELOOP:
            reason = "symbolic link loop (the link leads back to itself): not followed"
        elif e.errno == errno.ENOENT:
            reason = "symbolic link to nothing (its target does not exist): not followed"
        else:
            reason = f"symbolic link whose target cannot be looked at ({e.strerror}): not followed"
        return Entry(path, root, relative, shown, SKIPPED, reason)
    target = _real(path)
    if stat.S_ISDIR(target_info.st_mode):
        return Entry(path, root, relative, shown, SKIPPED,
                     "symbolic link to a folder: folders are only read where they really are (give that folder as an input to include it)")
    if target is None or not _inside(target, folders):
        return Entry(path, root, relative, shown, SKIPPED,
                     "symbolic link to a file outside the input folders: not followed (copy the file in if it belongs)")
    if _inside(target, excluded):
        return Entry(path, root, relative, shown, SKIPPED,
                     "symbolic link to the build's own output: not an input")
    if not stat.S_ISREG(target_info.st_mode):
        return Entry(path, root, relative, shown, SKIPPED,
                     f"symbolic link to {_kind_of(target_info.st_mode)}: not opened")
    base = next(f for f in folders if target == f or f in target.parents)
    shown_target = printable(str(target.relative_to(base)))
    entry = _file_entry(path, root, relative, name)
    entry.target = target
    entry.note = "; ".join(filter(None, [f"symbolic link to {shown_target} in the input folder", entry.note]))
    return entry


def read_bytes(entry: Entry, max_bytes: int, copy_to: Path | None = None, expect: str | None = None) -> tuple[str, int]:
    """(sha256, size) of a FILE entry, read once; with ``copy_to`` the same bytes are written
    there (``expect``: the sha256 they must have, else the file changed under the build).

    Raises InputError with a sentence a maintainer acts on; never blocks on a FIFO or device
    (opened non-blocking, checked to be a regular file before a byte is read)."""
    path = entry.target or entry.path
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = _open(path, flags)
    except PermissionError:
        raise InputError("cannot be opened: permission denied (the build's user may not read it)") from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise InputError("became a symbolic link while the build ran: not followed") from None
        raise InputError(f"cannot be opened ({e.strerror})") from None
    out = None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{_kind_of(info.st_mode)}, not a file: not read")
        if info.st_size > max_bytes:
            raise InputError(f"{info.st_size:,} bytes, more than the limit of {max_bytes:,} (limit max_file_mb): not read")
        digest = hashlib.sha256()
        size = 0
        if copy_to is not None:
            out = open(copy_to, "wb")
        while True:
            try:
                block = os.read(fd, 1 << 20)
            except OSError as e:
                raise InputError(f"cannot be read ({e.strerror})") from None
            if not block:
                break
            size += len(block)
            if size > max_bytes:
                raise InputError(f"more than the limit of {max_bytes:,} bytes (limit max_file_mb): not read")
            digest.update(block)
            if out is not None:
                out.write(block)
        sha = digest.hexdigest()
        if expect is not None and sha != expect:
            raise InputError("the file changed while the build was reading it: build again")
        return sha, size
    finally:
        os.close(fd)
        if out is not None:
            out.close()
