"""The package works without the checkout: the wheel, installed into a folder of its own, used from another folder.

Built with `pip wheel` (no dependencies, this environment's setuptools) from a copy of the package's sources in a
temporary folder (setuptools writes build/ beside the sources, and tests never write in the repository), installed with
`pip install --no-deps --target` into a temporary prefix, then run by this environment's Python from a temporary folder
with the prefix first on PYTHONPATH: the editable install of the checkout is a finder appended to `sys.meta_path`, so it
cannot shadow the prefix, and the test checks that `ci2p.__file__` lies under it. The run creates `ci2p_vit_tiny` (the shipped codec from
package data), loads the demo dataset (package data) and trains one step.
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = r'''
import json, sys, ci2p, timm
from pathlib import Path
from ci2p.train import TrainConfig, train
from ci2p.paths import asset_path
m = timm.create_model("ci2p_vit_tiny", img_size=32, num_classes=10)
r = train(TrainConfig.of(model="ci2p_vit_tiny", img_size=32, batch_size=8, max_train_samples=8, max_val_samples=8,
                         out=sys.argv[1], progress=False))
print(json.dumps({"file": ci2p.__file__, "assets": str(asset_path()), "loss": r["history"][0]["train_loss"],
                  "steps_images": r["history"][0]["images_per_s"] > 0}))
'''


def test_installed_wheel_works_from_another_folder(tmp_path):
    wheels, prefix, elsewhere, src = tmp_path / "wheels", tmp_path / "prefix", tmp_path / "elsewhere", tmp_path / "src"
    elsewhere.mkdir(); src.mkdir()
    for f in ("setup.py", "settings.ini", "README.md"): shutil.copy(ROOT / f, src / f)
    shutil.copytree(ROOT / "ci2p", src / "ci2p", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(pip + ["wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(src)], check=True, cwd=tmp_path,
                   capture_output=True, timeout=600)
    wheel = next(wheels.glob("ci2p-*.whl"))
    subprocess.run(pip + ["install", "--no-deps", "--target", str(prefix), str(wheel)], check=True, capture_output=True, timeout=600)
    env = {**os.environ, "PYTHONPATH": str(prefix), "CI2P_CACHE": str(tmp_path / "cache"), "OMP_NUM_THREADS": "1"}
    r = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "run")], cwd=elsewhere, env=env, capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert Path(out["file"]).resolve().is_relative_to(prefix.resolve()), out      # the installed copy, not the checkout
    assert Path(out["assets"]).resolve().is_relative_to(prefix.resolve()), out
    assert out["loss"] == out["loss"] and out["steps_images"]                        # a finite loss, a real step
