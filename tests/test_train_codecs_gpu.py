"""scripts/train_codecs_gpu.py: its planning arithmetic, and a fixed-steps run on the CPU end to end."""
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]


def load_driver():
    spec = importlib.util.spec_from_file_location("train_codecs_gpu", ROOT / "scripts" / "train_codecs_gpu.py")
    mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    return mod


def test_plan_steps_and_rate(tmp_path):
    d = load_driver()
    assert d.plan_steps(40.0, 500, 25) == 19_000          # (500 - 25) s x 40 steps/s = 19,000, a multiple of 500
    assert d.plan_steps(40.0, 500, 37.6) == 18_000        # 18,496 rounds down, never up past the budget
    assert d.plan_steps(40.0, 20, 25) == 0                # start-up longer than the time left: nothing fits
    hist = [{"step": 10, "wall_s": 9.0}, {"step": 20, "wall_s": 10.0}, {"step": 40, "wall_s": 11.0}, {"step": 60, "wall_s": 12.0}]
    (tmp_path / "metrics.json").write_text(json.dumps({"history": hist}))
    assert d.steps_per_s(tmp_path / "metrics.json", skip=15) == 20.0   # the slow first records (start-up) are left out


def test_fixed_steps_run_on_cpu(tmp_path):
    "`--steps` trains every quality with a plain pretrain command each, concurrently, and records the commands."
    rng = np.random.default_rng(0)
    (tmp_path / "imgs").mkdir()
    for k in range(2): Image.fromarray(rng.integers(0, 256, (80, 96, 3), dtype=np.uint8)).save(tmp_path / "imgs" / f"{k}.png")
    out = tmp_path / "run"
    r = subprocess.run([sys.executable, "scripts/train_codecs_gpu.py", "--data", str(tmp_path / "imgs"), "--out", str(out),
                        "--qualities", "1", "3", "--steps", "4", "--workers", "0", "--device", "cpu",
                        "--", "--crop", "32", "--batch-size", "2", "--threads", "1"],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    plan = json.loads((out / "plan.json").read_text())
    assert plan["chosen"] == [1, 3] and plan["steps"] == 4 and plan["probes"] == {}
    assert "q3: no held-out curve" in r.stdout, r.stdout   # a folder of images has none: said, not an empty line
    assert all("--steps 4" in c and "--crop 32" in c for c in plan["commands"]) and "--quality 3" in plan["commands"][1]
    for q in (1, 3):
        m = json.loads((out / f"codec-q{q}" / "metrics.json").read_text())
        assert m["config"]["quality"] == q and m["history"][-1]["step"] == 4 and (out / f"codec-q{q}" / "codec.safetensors").is_file()
    # run again into the same OUT: refused before any work, the codecs untouched; --overwrite trains them afresh
    before = (out / "codec-q3" / "codec.safetensors").read_bytes()
    again = subprocess.run(r.args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert again.returncode != 0 and "codec-q1 holds a run" in again.stderr and "Traceback" not in again.stderr, again.stderr
    assert (out / "codec-q3" / "codec.safetensors").read_bytes() == before
    args = r.args[:r.args.index("--")] + ["--overwrite"] + r.args[r.args.index("--"):]
    again = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and all("--overwrite" in c for c in json.loads((out / "plan.json").read_text())["commands"])


def test_bad_arguments_refused_before_any_probe(tmp_path):
    "Each argument a run would refuse is one line before a probe spends the GPU's minutes, and OUT is not made."
    d = load_driver()
    (tmp_path / "imgs").mkdir(); Image.new("RGB", (64, 64)).save(tmp_path / "imgs" / "0.png")
    base = ["--out", str(tmp_path / "out"), "--data", str(tmp_path / "imgs"), "--device", "cpu"]
    for bad, said in ((["--qualities", "9"], "--qualities 9: the qualities are [1, 2, 3, 4, 5, 6, 7, 8]"),
                      (["--qualities", "5", "1", "5"], "--qualities names 5 twice"),   # two runs in one OUT/codec-q5
                      (["--budget-s", "-5"], "--budget-s must be > 0"),
                      (["--steps", "0"], "--steps must be >= 1, got 0"),               # was taken as not given: probes
                      (["--rate-margin", "2"], "--rate-margin must be in (0, 1]"),
                      (["--reserve-s", "500"], "--reserve-s 500 leaves nothing of --budget-s 480"),
                      (["--probe-steps", "29"], f"needs at least {d.MIN_PROBE_STEPS} steps"),
                      (["--workers", "-1"], "--workers must be >= 0"),
                      (["--data", str(tmp_path / "nope")], "image folder does not exist"),
                      (["--device", "nonsense"], "'nonsense' is not a device name")):
        try:
            d.main(base + bad)
            raise AssertionError(f"{bad} was not refused")
        except SystemExit as e:
            assert str(e).startswith("train_codecs_gpu.py: error: ") and said in str(e), (bad, str(e))
        assert not (tmp_path / "out").exists(), bad
