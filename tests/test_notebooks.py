"""Every library notebook (nbs/lib/) runs through nbdev's own executor, `nbdev.test.test_nb` with the arguments
`nbdev_test --path NB` gives it, one test and one process each (`tests/warm.py`: the process is forked from a
server that has imported torch, timm, compressai and ci2p once, so no notebook pays for those imports again).

Cells flagged with one of settings.ini's `tst_flags` (e.g. `#| slow`, `#| gpu`) and `#| eval: false` cells are
skipped, exactly as `nbdev_test` does. Force flagged cells with CI2P_TEST_FLAGS="slow". Library notebooks never
write inside the repository, and leave nothing in `$TMPDIR`: the scratch folders a notebook made are checked to be
gone once its process has ended. The experiment notebooks (nbs/*.ipynb) are run by tests/test_experiments.py.
"""
import os
from pathlib import Path

import pytest

from warm import run_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "nbs" / "lib").glob("[0-9]*.ipynb"))


def test_notebooks_exist():
    assert len(NOTEBOOKS) >= 10, f"library notebooks missing from {ROOT / 'nbs' / 'lib'}"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook(nb, warm_server, clean_tmpdir, tmp_path):
    force = os.environ.get("CI2P_TEST_FLAGS", "")
    code, out, err = run_notebook(warm_server, nb, force, ROOT, tmp_path)
    assert code == 0 and "Success." in out, f"{nb.name} failed (exit code {code}):\n{out[-3000:]}\n{err[-6000:]}"
    # a notebook that passes leaves no traceback behind either (an exit handler failing after "Success.", say)
    assert "Traceback" not in err, f"{nb.name} passed, then printed a traceback:\n{err[-6000:]}"
