"""Which folder holds the live index: a ``CURRENT`` pointer switched atomically; and the
folders of rebuilds under way, marked so that one a killed rebuild left is removed."""

import contextlib
import ctypes
import os
import shutil
import signal
import socket
import time
import uuid
from pathlib import Path

POINTER = "CURRENT"
BUILDING = "BUILDING"  # in a folder being built: the building process's id


def active_folder(root: Path) -> Path:
    """The folder the pointer names, created (empty) on first use."""
    pointer = root / POINTER
    try:
        name = pointer.read_text().strip()
    except FileNotFoundError:
        name = ""
    if not name:
        root.mkdir(parents=True, exist_ok=True)
        name = new_folder_name()
        (root / name).mkdir()
        point_to(root, name)
    return root / name


def new_folder_name() -> str:
    return time.strftime("gen-%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]


def point_to(root: Path, name: str) -> None:
    """Switch the live index atomically: readers see the old or the new name."""
    temporary = root / f".{POINTER}.{uuid.uuid4().hex}"
    temporary.write_text(name)
    os.replace(temporary, root / POINTER)


def start_building(root: Path) -> Path:
    """A new folder for a rebuild, marked as being built by this process; first removes
    the folders of rebuilds whose process has gone (killed: ``kill -9``, a reboot)."""
    root.mkdir(parents=True, exist_ok=True)
    for marker in root.glob(f"gen-*/{BUILDING}"):
        if _abandoned(marker):
            shutil.rmtree(marker.parent, ignore_errors=True)
    folder = root / new_folder_name()
    folder.mkdir()
    (folder / BUILDING).write_text(f"{socket.gethostname()} {os.getpid()}")
    return folder


# A rebuild's folder marked by another host (another container sharing the index's
# storage) is taken as abandoned only when nothing was written to it for this long:
# its process cannot be asked after from here. A rebuild of 100,000 reports takes
# minutes.
FOREIGN_BUILD_SECONDS = 6 * 3600


def _abandoned(marker: Path) -> bool:
    try:
        host, _, pid = marker.read_text().strip().rpartition(" ")
        quiet = time.time() - max(p.stat().st_mtime for p in marker.parent.iterdir())
    except (OSError, ValueError):
        return False  # it went meanwhile, or is being written
    if host != socket.gethostname():
        return quiet > FOREIGN_BUILD_SECONDS
    return not pid.isdigit() or not _alive(int(pid))


def being_built(folder: Path) -> bool:
    """Whether another rebuild, still alive, is writing this folder."""
    marker = folder / BUILDING
    return marker.exists() and not _abandoned(marker)


def finish_building(folder: Path) -> None:
    (folder / BUILDING).unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def children_die_with_this_process():
    """Processes forked inside the block (Whoosh's sub-writers, the arrays' workers) are
    killed when this one dies, even by SIGKILL, instead of writing on for a minute into
    a folder nobody will use (Linux's PR_SET_PDEATHSIG; elsewhere nothing changes)."""
    parent = os.getpid()
    _guard["parent"] = parent
    try:
        yield
    finally:
        _guard["parent"] = None


_guard: dict[str, int | None] = {"parent": None}
PR_SET_PDEATHSIG = 1


def _in_forked_child() -> None:
    parent = _guard["parent"]
    if parent is None:
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)
    _guard["parent"] = os.getpid()  # a process this one forks dies with this one


os.register_at_fork(after_in_child=_in_forked_child)
