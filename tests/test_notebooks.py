"""Every library notebook (nbs/lib/) runs through nbdev's own executor (`nbdev.test.test_nb`), one test each.

Cells flagged with one of settings.ini's `tst_flags` (e.g. `#| slow`, `#| gpu`) and `#| eval: false` cells are
skipped, exactly as `nbdev_test` does. Force flagged cells with CI2P_TEST_FLAGS="slow". Library notebooks never
write inside the repository, and leave nothing in `$TMPDIR`: each runs in a process of its own, so that the scratch
folders it made are checked to be gone once that process has ended. The experiment notebooks (nbs/*.ipynb) are run by
tests/test_experiments.py.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from nbdev.config import get_config

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "nbs" / "lib").glob("[0-9]*.ipynb"))


def test_notebooks_exist():
    assert len(NOTEBOOKS) >= 10, f"library notebooks missing from {ROOT / 'nbs' / 'lib'}"


RUN_ONE = """import json, sys
from pathlib import Path
from nbdev.test import test_nb
nb, skip, force, root = json.loads(sys.argv[1])
ok, _ = test_nb(Path(nb), skip_flags=skip, force_flags=force, showerr=True, basepath=Path(root))
sys.exit(0 if ok else 1)"""


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook(nb, clean_tmpdir):
    skip = get_config(path=ROOT).tst_flags.split()
    force = os.environ.get("CI2P_TEST_FLAGS", "").split()
    r = subprocess.run([sys.executable, "-c", RUN_ONE, json.dumps([str(nb), skip, force, str(ROOT)])], cwd=ROOT / "nbs",
                       capture_output=True, text=True, timeout=1800)
    assert r.returncode == 0, f"{nb.name} failed:\n{r.stdout[-3000:]}\n{r.stderr[-6000:]}"
