"""Every library notebook (nbs/lib/) runs through nbdev's own executor (`nbdev.test.test_nb`), one test each.

Cells flagged with one of settings.ini's `tst_flags` (e.g. `#| slow`, `#| gpu`) and `#| eval: false` cells are
skipped, exactly as `nbdev_test` does. Force flagged cells with CI2P_TEST_FLAGS="slow". Library notebooks never
write inside the repository; the experiment notebooks (nbs/*.ipynb) are run by tests/test_experiments.py.
"""
import os
from pathlib import Path

import pytest
from nbdev.config import get_config
from nbdev.test import test_nb as run_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "nbs" / "lib").glob("[0-9]*.ipynb"))


def test_notebooks_exist():
    assert len(NOTEBOOKS) >= 10, f"library notebooks missing from {ROOT / 'nbs' / 'lib'}"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook(nb):
    skip = get_config(path=ROOT).tst_flags.split()
    force = os.environ.get("CI2P_TEST_FLAGS", "").split()
    ok, secs = run_notebook(nb, skip_flags=skip, force_flags=force, showerr=True, basepath=ROOT)
    assert ok, f"{nb.name} failed (traceback above, in captured stderr)"
