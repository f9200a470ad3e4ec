"""`make gpu-check` (scripts/gpu_check.py): its CUDA path needs a GPU; here its CPU fallbacks run for real."""
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]


def load_gpu_check():
    spec = importlib.util.spec_from_file_location("gpu_check", ROOT / "scripts" / "gpu_check.py")
    mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    return mod


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU: the check would run for real")
def test_no_gpu_says_so_and_exits_0():
    r = subprocess.run([sys.executable, "scripts/gpu_check.py"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "no CUDA device" in r.stdout, r.stdout + r.stderr
    r = subprocess.run([sys.executable, "scripts/gpu_check.py", "--device", "cuda"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "no CUDA device" in r.stderr and "Traceback" not in r.stderr


def test_checks_run_on_cpu(tmp_path, clean_tmpdir):
    "Every check but torch.compile (minutes on a CPU) on tiny models: each passes and says what it measured."
    out = tmp_path / "gpu_check.json"
    r = subprocess.run([sys.executable, "scripts/gpu_check.py", "--device", "cpu", "--skip", "compile", "--json", str(out)],
                       cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    import json
    res = {c["check"]: c for c in json.loads(out.read_text())["results"]}
    assert set(res) == {"step vit_tiny_gap", "step vit_tiny_p32_gap", "step ci2p_vit_tiny", "step cnn_vit_tiny",
                        "torchrun, 1 process", "throughput"}
    assert all(c["ok"] for c in res.values())
    assert "process group gloo, world size 1" in res["torchrun, 1 process"]["detail"]
    assert "6 passed, 0 failed" in r.stdout


def test_a_broken_step_fails_the_check():
    "A training step that leaves the weights unchanged (a broken optimizer) is a FAIL, and the others still run."
    gc = load_gpu_check()
    real_step = torch.optim.Adam.step
    try:
        torch.optim.Adam.step = lambda self, closure=None: None
        res = gc.run_checks("cpu", skip=("compile", "torchrun", "throughput", "p32", "cnn", "ci2p"))
    finally:
        torch.optim.Adam.step = real_step
    assert [c["check"] for c in res] == ["step vit_tiny_gap"]
    assert not res[0]["ok"] and "no trained weight changed" in res[0]["detail"]
