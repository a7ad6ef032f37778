"""Writing a user's file: private, whole or not at all, and never replacing what a path is.

Exports, ``config.toml``, ``presets.toml`` and comparison files go through :func:`write_private`
(bytes as they come) or :func:`write_private_text`. What the path names decides how:

* nothing, or a regular file: a temporary file beside it, made 0600, filled, flushed to disk
  and renamed over it, so a crash never leaves half a file;
* a symbolic link: the file it points to is written that way (the link stays a link: a
  ``presets.toml`` linked from a dotfiles repository keeps being the repository's file);
* a FIFO (or another non-regular file that is not a device): written through, as ``cat >``
  would (its reader gets the data; a rename would have left it waiting forever);
* standard output or standard error (``/dev/stdout``, ``/dev/fd/2``, the terminal they are):
  written through;
* any other device node (``/dev/sda``, ``/dev/null``, ...): refused with :class:`RefusedTarget`.
  A rename over it would replace the device itself (as root, ``-o /dev/null`` would have
  made ``/dev/null`` a regular file for every program on the machine).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from pathlib import Path


class RefusedTarget(OSError):
    """The path is a device node other than standard output or standard error."""


def write_private_text(path: Path, text: str) -> None:
    """:func:`write_private` of ``text`` in UTF-8."""
    write_private(path, [text.encode("utf-8")])


def write_private(path: Path, pieces: Iterable[bytes]) -> None:
    """Write ``pieces`` to ``path`` as they come (see the module docstring for what each kind
    of path gets). Raises ``OSError`` (:class:`RefusedTarget` for a device node)."""
    path = Path(path)
    try:
        info = os.stat(path)  # follows symbolic links
    except FileNotFoundError:
        info = None
    if info is not None:
        standard = _standard_stream(info)
        if standard is not None:  # whatever it is (terminal, pipe, file): our own stream
            _write_to(os.dup(standard), pieces)
            return
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
        if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode):
            raise RefusedTarget(
                errno.EPERM,
                "is a device node; only standard output and standard error are written to "
                "(-o - is standard output)",
                str(path),
            )
        if not stat.S_ISREG(info.st_mode):  # a FIFO: its reader waits for this
            _write_to(os.open(path, os.O_WRONLY), pieces)
            return
    _replace(Path(os.path.realpath(path)), pieces)


def _standard_stream(info: os.stat_result) -> int | None:
    """1 or 2 when ``info`` is this process's standard output or error."""
    for fd in (1, 2):
        try:
            if os.path.samestat(info, os.fstat(fd)):
                return fd
        except OSError:
            continue
    return None


def _write_to(fd: int, pieces: Iterable[bytes]) -> None:
    with os.fdopen(fd, "wb") as handle:
        for piece in pieces:
            handle.write(piece)
        handle.flush()


def _replace(target: Path, pieces: Iterable[bytes]) -> None:
    """The atomic write: a private temporary file beside ``target``, renamed over it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            for piece in pieces:
                handle.write(piece)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
