"""Every library notebook (nbs/lib/) runs through nbdev's own command, `nbdev_test --path NB`, one test each.

Cells flagged with one of settings.ini's `tst_flags` (e.g. `#| slow`, `#| gpu`) and `#| eval: false` cells are
skipped, exactly as `nbdev_test` does. Force flagged cells with CI2P_TEST_FLAGS="slow". Library notebooks never
write inside the repository, and leave nothing in `$TMPDIR`: each runs in a process of its own, so that the scratch
folders it made are checked to be gone once that process has ended. The experiment notebooks (nbs/*.ipynb) are run
by tests/test_experiments.py.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "nbs" / "lib").glob("[0-9]*.ipynb"))


def test_notebooks_exist():
    assert len(NOTEBOOKS) >= 10, f"library notebooks missing from {ROOT / 'nbs' / 'lib'}"


NBDEV_TEST = Path(sys.executable).parent / "nbdev_test"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook(nb, clean_tmpdir):
    force = os.environ.get("CI2P_TEST_FLAGS", "")
    r = subprocess.run([str(NBDEV_TEST), "--path", str(nb), "--flags", force], cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert r.returncode == 0 and "Success." in r.stdout, f"{nb.name} failed:\n{r.stdout[-3000:]}\n{r.stderr[-6000:]}"
    # a notebook that passes leaves no traceback behind either (an exit handler failing after "Success.", say)
    assert "Traceback" not in r.stderr, f"{nb.name} passed, then printed a traceback:\n{r.stderr[-6000:]}"
