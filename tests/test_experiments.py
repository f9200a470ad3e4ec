"""Each experiment notebook, run as its documented papermill command is typed: from the repository root (no --cwd),
with the `ci2p` kernel, into a fresh temporary output folder, at a tiny setting. Nothing is written in the repository."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# notebook: (tiny parameters, files the run must write into out_dir)
TINY = {
    "05_train_animals10": (["-p", "img_size", "32", "-p", "max_train_samples", "64", "-p", "max_val_samples", "32",
                            "-p", "batch_size", "32"], ["summary.json", "summary.csv", "fig5_val_top1.png"]),
    "06_complexity": (["-y", "models: [vit_base_gap, ci2p_vit_base, ci2p_vit_base_ds, vit_base_p32_gap]", "-y", "img_sizes: [256]"],
                      ["complexity.csv", "complexity.md"]),
    "07_throughput": (["-p", "full", "False"], ["throughput_cpu.csv", "throughput_cpu.png"]),
    "10_codec": (["-p", "data", "{tmp}/photos", "-p", "long_side", "128", "-p", "max_images", "2"],
                 ["summary.json", "summary.md", "rate_distortion.png", "reconstructions.png", "training_curve.png"]),
    "11_demo": (["-p", "n_train", "96", "-p", "n_test", "48", "-p", "img_size", "32", "-p", "epochs", "2", "-p", "batch_size", "32",
                 "-p", "codec_eval_images", "4"], ["summary.json", "summary.md", "val_top1.png", "codec_reconstructions.png"]),
}
EXPERIMENTS = sorted(p.stem for p in (ROOT / "nbs").glob("[0-9]*.ipynb"))


def test_every_experiment_has_a_tiny_setting():
    assert EXPERIMENTS and set(EXPERIMENTS) == set(TINY), f"experiment notebooks {EXPERIMENTS} vs tested {sorted(TINY)}"


def run_papermill(name, tmp_path):
    params = [p.replace("{tmp}", str(tmp_path)) for p in TINY[name][0]]
    if name == "10_codec":  # two photographs that ship with scikit-image stand in for the gathered ones
        import shutil, skimage
        (tmp_path / "photos").mkdir()
        for f in ("chelsea.png", "coffee.png"): shutil.copy(Path(skimage.__file__).parent / "data" / f, tmp_path / "photos" / f)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "papermill", f"nbs/{name}.ipynb", str(tmp_path / f"{name}.ipynb"), "-k", "ci2p",
           *params, "-p", "out_dir", str(out)]
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return out


@pytest.mark.parametrize("name", sorted(TINY))
def test_experiment_notebook(name, tmp_path):
    status = ["git", "status", "--porcelain", "--untracked-files=all", "--", "results", "data", "nbs", "ci2p"]
    before = subprocess.run(status, cwd=ROOT, capture_output=True, text=True).stdout
    out = run_papermill(name, tmp_path)
    for f in TINY[name][1]: assert (out / f).stat().st_size > 0, f"{name} did not write {f}"
    after = subprocess.run(status, cwd=ROOT, capture_output=True, text=True).stdout
    assert after == before, f"{name} changed the repository:\n{after}"
    if name == "11_demo":
        s = json.loads((out / "summary.json").read_text())
        assert [row["model"] for row in s["table"]] == ["vit_tiny_gap", "ci2p_vit_tiny", "cnn_vit_tiny"]
        assert [row["tokens"] for row in s["table"]] == [4, 1, 1]
        top1 = {row["model"]: row["final_top1"] for row in s["table"]}
        verdicts = {c["key"]: c["direction"] for c in s["claims"]}  # each verdict follows from the table's own numbers
        assert verdicts["more_accurate_than_vit"] == ("holds here" if top1["ci2p_vit_tiny"] > top1["vit_tiny_gap"] else "does NOT hold here")
        assert s["codec"]["weights"] == "ci2p-q5" and 0 < s["codec"]["bpp"] < 8
    if name == "05_train_animals10":
        s = json.loads((out / "summary.json").read_text())
        assert s["encoders"]["ci2p_vit_tiny"]["weights"] == "ci2p-q5" and s["encoders"]["ci2p_vit_tiny"]["frozen"]
        assert s["encoders"]["cnn_vit_tiny"]["weights"] == "random" and s["encoders"]["vit_tiny_gap"] is None
    if name == "10_codec":
        s = json.loads((out / "summary.json").read_text())
        assert s["n_images"] == 2 and s["weights"] == "ci2p-q5" and len(s["jpeg_curve"]) == 19
        assert abs(s["gain_over_jpeg_db"] - (s["mean"]["psnr"] - s["jpeg_psnr_at_codec_bpp"])) < 1e-9
    if name == "06_complexity":
        assert "## Erratum" in (out / "complexity.md").read_text()
