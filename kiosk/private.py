"""Files only the kiosk's own user may read: the database (PIN hashes of 4 to 6 digits are
quick to crack from a copy), its backups, and the instance folder that holds them and the
keys. Made so from the moment they exist, and put back so when found wider."""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_folder(path: str | os.PathLike[str]) -> Path:
    """The folder, made if missing, readable and writable by the kiosk's user only."""
    folder = Path(path)
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    _narrow(folder, FOLDER_MODE)
    return folder


def private_file(path: str | os.PathLike[str]) -> Path:
    """The file made empty if missing (0600, never wider even for an instant), or put back
    to 0600 if it exists: SQLite then opens it, and its -wal and -shm files take its mode."""
    target = Path(path)
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        _narrow(target, FILE_MODE)
    except OSError:  # no such folder, or not ours: SQLite says so when it opens it
        return target
    else:
        os.close(fd)
    for companion in (target.with_name(target.name + "-wal"),
                      target.with_name(target.name + "-shm")):
        if companion.exists():
            _narrow(companion, FILE_MODE)
    return target


def _narrow(path: Path, mode: int) -> None:
    """chmod to `mode` if it is wider; a file the kiosk's user does not own is left."""
    with contextlib.suppress(OSError):
        if stat.S_IMODE(path.stat().st_mode) & ~mode:
            path.chmod(mode)
