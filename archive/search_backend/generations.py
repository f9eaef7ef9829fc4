"""Which folder holds the live index: a ``CURRENT`` pointer switched atomically."""

import os
import time
import uuid
from pathlib import Path

POINTER = "CURRENT"


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
