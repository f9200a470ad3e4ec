"""The demo notebook, through papermill with the `ci2p` kernel, at a setting small enough for CI."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_demo_notebook_small(tmp_path):
    out = tmp_path / "demo"
    cmd = [sys.executable, "-m", "papermill", str(ROOT / "nbs" / "11_demo.ipynb"), str(tmp_path / "demo.ipynb"), "-k", "ci2p",
           "--cwd", str(ROOT / "nbs"), "-p", "n_train", "96", "-p", "n_test", "48", "-p", "img_size", "32", "-p", "epochs", "2",
           "-p", "batch_size", "32", "-p", "codec_steps", "4", "-p", "codec_batch_size", "4", "-p", "codec_eval_images", "4",
           "-p", "out_dir", str(out)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    s = json.loads((out / "summary.json").read_text())
    assert [row["model"] for row in s["table"]] == ["vit_tiny_gap", "ci2p_vit_tiny", "cnn_vit_tiny"]
    assert [row["tokens"] for row in s["table"]] == [4, 1, 1]
    assert len(s["claims"]) == 4 and all(c["direction"] in ("holds here", "does NOT hold here") for c in s["claims"])
    assert all(len(h) == 2 for h in s["history"].values())
    md = (out / "summary.md").read_text()
    assert "| paper's claim |" in md and (out / "val_top1.png").stat().st_size > 0
