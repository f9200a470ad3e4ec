"""A 2-process DDP run on the CPU (gloo) through torchrun, as a user would launch it."""
import json
import os
import subprocess
import sys
from pathlib import Path


def test_torchrun_two_processes(tmp_path, clean_tmpdir):
    out = tmp_path / "ddp"
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", "29517", "-m", "ci2p.train",
           "--model", "ci2p_vit_tiny", "--dataset", "demo", "--img-size", "32", "--epochs", "2", "--batch-size", "16",
           "--max-train-samples", "128", "--max-val-samples", "33", "--out", str(out), "--no-progress", "--device", "cpu"]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env, cwd=Path(__file__).resolve().parents[1])
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    hist = json.loads((out / "metrics.json").read_text())
    run = json.loads((out / "run.json").read_text())
    assert [h["epoch"] for h in hist] == [1, 2] and run["world_size"] == 2
    # metrics are reduced over ranks: all 33 validation images counted once, so top-1 is a multiple of 1/33
    assert all(abs(h["val_top1"] * 33 / 100 - round(h["val_top1"] * 33 / 100)) < 1e-6 for h in hist)
    # rank 0 alone writes: the last two checkpoint pairs, and each epoch printed once
    assert sorted(p.name for p in (out / "checkpoints").iterdir()) == ["epoch0001.safetensors", "epoch0001.state.pt",
                                                                       "epoch0002.safetensors", "epoch0002.state.pt", "last.json"]
    assert r.stderr.count("epoch 1:") == 1                                   # progress goes through logging, to stderr


def _run(args, tmp_path, port=None):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore", "CI2P_CACHE": str(tmp_path / "cache")}
    launch = ([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", str(port)] if port
              else [sys.executable])
    r = subprocess.run([*launch, "-m", *args], capture_output=True, text=True, timeout=600, env=env,
                       cwd=Path(__file__).resolve().parents[1])
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return r


def test_torchrun_store_build_and_train(tmp_path, clean_tmpdir):
    """Two ranks build a latent store (each encodes its share of the shards) with the same bytes as one process; two
    ranks then train from it."""
    build = ["ci2p.store", "build", "--dataset", "demo", "--img-size", "32", "--max-train-samples", "96", "--max-val-samples", "40",
             "--format", "yhat", "--shard-size", "16", "--no-progress", "--device", "cpu"]
    _run([*build, "--out", str(tmp_path / "one")], tmp_path)
    _run([*build, "--out", str(tmp_path / "two")], tmp_path, port=29518)
    one, two = (json.loads((tmp_path / d / "manifest.json").read_text()) for d in ("one", "two"))
    shards = lambda m: [(s["file"], s["sha256"]) for sp in m["splits"].values() for s in sp["shards"]]
    assert shards(one) == shards(two) and len(shards(two)) == 6 + 3 and two["world_size"] == 2
    assert {s["rank"] for sp in two["splits"].values() for s in sp["shards"]} == {0, 1}   # the work was shared
    out = tmp_path / "run"
    _run(["ci2p.train", "--model", "ci2p_vit_tiny", "--model-kwargs", "latent=yhat", "--store", str(tmp_path / "two"), "--img-size", "32",
          "--epochs", "1", "--batch-size", "16", "--out", str(out), "--no-progress", "--device", "cpu"], tmp_path, port=29519)
    run = json.loads((out / "run.json").read_text())
    hist = json.loads((out / "metrics.json").read_text())
    assert run["world_size"] == 2 and run["store"]["format"] == "yhat" and run["train_size"] == 96
    assert abs(hist[0]["val_top1"] * 40 / 100 - round(hist[0]["val_top1"] * 40 / 100)) < 1e-6   # all 40 validation latents once
