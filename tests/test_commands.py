"""Each command with its smallest valid settings runs: a default that depends on another flag follows it (the codec's
warm-up follows --steps), so no valid input is refused because of a default the user never typed."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path


def test_codec_pretrain_with_few_steps_trains(tmp_path):
    import skimage
    photos = tmp_path / "photos"; photos.mkdir()
    for f in ("chelsea.png", "coffee.png"): shutil.copy(Path(skimage.__file__).parent / "data" / f, photos / f)
    env = {**os.environ, "CI2P_CACHE": str(tmp_path / "cache"), "OMP_NUM_THREADS": "1"}
    r = subprocess.run([sys.executable, "-m", "ci2p.codec", "pretrain", "--data", str(photos), "--out", str(tmp_path / "out"),
                        "--steps", "60", "--crop", "64", "--batch-size", "4", "--eval-every", "0", "--threads", "1"],
                       capture_output=True, text=True, env=env, timeout=600, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    m = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert m["config"]["steps"] == 60 and m["history"][-1]["step"] == 60
    assert (tmp_path / "out" / "codec.safetensors").is_file()
