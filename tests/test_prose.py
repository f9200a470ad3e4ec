"""The prose quotes the results it sits beside: a regenerated results file that is committed without `make render`
fails `make check-render`, naming the file, and `make render` brings the prose up to date. Run on a copy: nothing is
written in the repository."""
import json
import shutil
from pathlib import Path

import pandas as pd

from ci2p.prose import RENDERED, render

ROOT = Path(__file__).resolve().parents[1]


def copy_project(dst: Path) -> Path:
    "The rendered files, every results JSON and CSV, and the package's assets (linked), under `dst`."
    for f in RENDERED:
        (dst / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / f, dst / f)
    for f in [*(ROOT / "results").rglob("*.json"), *(ROOT / "results").rglob("*.csv")]:
        (dst / f.relative_to(ROOT)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(f, dst / f.relative_to(ROOT))
    for f in (ROOT / "ci2p" / "assets").rglob("*"):
        if f.is_file() and not (dst / f.relative_to(ROOT)).exists():
            (dst / f.relative_to(ROOT)).parent.mkdir(parents=True, exist_ok=True)
            (dst / f.relative_to(ROOT)).symlink_to(f)
    return dst


def scale_floats(x, k: float):
    "Every non-integer number in a JSON value multiplied by `k`."
    if isinstance(x, float) and not x.is_integer(): return x * k
    if isinstance(x, dict): return {key: scale_floats(v, k) for key, v in x.items()}
    if isinstance(x, list): return [scale_floats(v, k) for v in x]
    return x


def test_a_regenerated_store_result_fails_the_check_and_render_updates_the_prose(tmp_path):
    root = copy_project(tmp_path)
    store = root / "results" / "store"
    (store / "summary.json").write_text(json.dumps(scale_floats(json.loads((store / "summary.json").read_text()), 1.5)))
    for f in store.glob("*.csv"):
        df = pd.read_csv(f)
        for c in df.columns:
            if pd.api.types.is_float_dtype(df[c]):
                df[c] = [v * 1.5 if v == v and not float(v).is_integer() else v for v in df[c]]
        df.to_csv(f, index=False)
    before = {f: (root / f).read_text() for f in RENDERED}   # the committed prose (`make check-render` asserts it is current)
    drifts = render(RENDERED, root, check=True)
    assert {d.file for d in drifts} >= {"README.md", "docs/design.md"}, drifts    # named, with the line, and nothing written
    assert all(d.line > 0 and d.committed != d.rendered for d in drifts)
    assert {f: (root / f).read_text() for f in RENDERED} == before
    render(RENDERED, root)
    assert (root / "docs/design.md").read_text() != before["docs/design.md"]
    assert (root / "README.md").read_text() != before["README.md"]
    assert render(RENDERED, root, check=True) == []
