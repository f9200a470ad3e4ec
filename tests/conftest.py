"""Shared fixtures of the test suite."""
import shutil
import tempfile
from pathlib import Path

import pytest

# torch's own folders, not ours: the compile cache it makes on import (reused by every run) and the empty log folders
# torchrun makes at each launch unless given --log-dir
TORCH_OWN = ("torchinductor_", "torchelastic_")


@pytest.fixture
def clean_tmpdir(monkeypatch):
    """A fresh, empty `$TMPDIR` for the test and every process it starts, which must be empty again once they have
    ended: a scratch folder that outlives its process piles up on every run until the disk is full.

    The folder's path is kept short on purpose. DataLoader workers hand tensors to the main process through
    multiprocessing's resource sharer, whose Unix socket lives in `$TMPDIR/pymp-*/`; a socket path may not exceed 107
    bytes, and under pytest's deep `tmp_path` (with a long test name) it did, and the workers waited forever."""
    scratch = Path(tempfile.mkdtemp(prefix="ci2p-t", dir="/tmp" if Path("/tmp").is_dir() else None))
    monkeypatch.setenv("TMPDIR", str(scratch))
    yield scratch
    left = sorted(p.name for p in scratch.iterdir() if not p.name.startswith(TORCH_OWN))
    shutil.rmtree(scratch, ignore_errors=True)
    assert not left, f"left behind in $TMPDIR ({scratch}) after the processes that made them ended: {left}"


@pytest.fixture(scope="session")
def warm_server():
    """The fork server of this test process (`tests/warm.py`): notebooks and commands run in children forked from it,
    with torch, timm, compressai and ci2p already imported."""
    from warm import start_server
    return start_server()
