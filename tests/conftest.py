"""Shared fixtures of the test suite."""
import pytest

# torch's own folders, not ours: the compile cache it makes on import (reused by every run) and the empty log folders
# torchrun makes at each launch unless given --log-dir
TORCH_OWN = ("torchinductor_", "torchelastic_")


@pytest.fixture
def clean_tmpdir(tmp_path, monkeypatch):
    """A fresh, empty `$TMPDIR` for the test and every process it starts, which must be empty again once they have
    ended: a scratch folder that outlives its process piles up on every run until the disk is full."""
    scratch = tmp_path / "tmpdir"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    yield scratch
    left = sorted(p.name for p in scratch.iterdir() if not p.name.startswith(TORCH_OWN))
    assert not left, f"left behind in $TMPDIR ({scratch}) after the processes that made them ended: {left}"
