"""A new user's mistakes, typed as commands: each is one line on stderr naming the problem, a non-zero exit status,
and no traceback; none of them reads a dataset first. Each command runs as `python -m` runs it, in a process of its
own that starts warm (`tests/warm.py`)."""
import json
import os
from types import SimpleNamespace

import pytest

from warm import run_module


@pytest.fixture
def run(warm_server):
    "`run(tmp_path, MODULE, *ARGS)`: `python -m MODULE ARGS` in `tmp_path`; its returncode, stdout and stderr."
    def run(tmp_path, *args, tmpdir=None):
        env = {**os.environ, "CI2P_CACHE": str(tmp_path / "cache"), "OMP_NUM_THREADS": "1", **({"TMPDIR": tmpdir} if tmpdir else {})}
        code, out, err = run_module(warm_server, args, env, tmp_path, tmp_path / ".logs", timeout=300)
        return SimpleNamespace(returncode=code, stdout=out, stderr=err)
    return run


CASES = {
    "negative lr": (["ci2p.train", "--lr", "-1"], "--lr must be > 0"),
    "cache for a plain ViT": (["ci2p.train", "--model", "vit_tiny_gap", "--cache-latents"], "needs a model with a frozen CI2P encoder"),
    "unknown model keyword": (["ci2p.train", "--model", "ci2p_vit_tiny", "--model-kwargs", "nonsense=3"], "nonsense: not a keyword"),
    "store into a file": (["ci2p.store", "build", "--out", "{file}"], "is an existing file"),
    "the old codec command": (["ci2p.encoder", "pretrain", "--data", "x"], "python -m ci2p.codec pretrain"),
    "misspelt latent augmentation": (["ci2p.train", "--model", "ci2p_vit_tiny", "--cache-latents", "--latent-aug", "translate,rcc"],
                                     "unknown augmentation 'rcc'; choose from noise, rrc, translate"),
    "latent augmentation of images": (["ci2p.train", "--latent-aug", "noise"], "--latent-aug augments latents"),
    "a plain ViT from a store": (["ci2p.train", "--model", "vit_tiny_gap", "--store", "{file}"],
                                 "needs a model with a frozen CI2P encoder"),
    # a model keyword timm would take as a truthy string, or fail on deep inside the model
    "model keyword of the wrong type": (["ci2p.train", "--model", "ci2p_vit_tiny", "--model-kwargs", "frozen=maybe"],
                                        "frozen='maybe': ci2p_vit_tiny takes bool"),
    "model keyword a flag sets": (["ci2p.train", "--model-kwargs", "img_size=64"], "img_size=64: set by --img-size"),
    # keywords of the right type that describe no possible model: timm's assertion, deep inside, was a traceback
    "model keywords no model can take": (["ci2p.train", "--model", "vit_tiny_gap", "--model-kwargs", "num_heads=5", "--img-size",
                                          "32", "--max-train-samples", "8", "--max-val-samples", "8"],
                                         "num_heads=5: vit_tiny_gap cannot be built with them (dim should be divisible by num_heads)"),
    "zero epochs": (["ci2p.train", "--epochs", "0"], "--epochs must be >= 1, got 0"),
    "Fashion-MNIST without its files": (["ci2p.train", "--dataset", "fashion-mnist", "--data-dir", "."],
                                        "Fashion-MNIST file train-images-idx3-ubyte[.gz] not found"),
    # torch's own refusal of a pickle is ten lines; the message is one
    "encoder weights that are not weights": (["ci2p.train", "--model", "ci2p_vit_tiny", "--encoder-weights", "{file}"],
                                             "is not a readable weights file"),
    # a flag typed with its usual value is given: where the run would not use it, it is refused as any other value
    "the usual view count beside a store": (["ci2p.train", "--store", "{file}", "--views", "2"],
                                            "--views would change nothing"),
    "a view count for images": (["ci2p.train", "--views", "2"], "--views 2 counts the views a latent store or cache holds"),
    "the usual split share for a dataset with its own": (["ci2p.train", "--dataset", "fashion-mnist", "--val-fraction", "0.2"],
                                                         "--dataset fashion-mnist comes with its split: --val-fraction"),
    "the usual split share in a store build": (["ci2p.store", "build", "--dataset", "fashion-mnist", "--val-fraction", "0.2",
                                                 "--out", "o"], "--dataset fashion-mnist comes with its split: --val-fraction"),
    "the usual held-out curve for a folder": (["ci2p.codec", "pretrain", "--data", "imgs", "--out", "o", "--eval-every", "500"],
                                              "--eval-every: imgs is a folder of images, with no held-out photographs"),
    # a misspelt codec name: one line, before any image is read (these commands once read every image first)
    "a misspelt encoder codec": (["ci2p.train", "--model", "ci2p_vit_tiny", "--encoder-weights", "ci2p-q5-v9"],
                                 "no codec 'ci2p-q5-v9': name a shipped codec ('ci2p-q5-v4' (the project's default)"),
    "a misspelt codec to evaluate": (["ci2p.codec", "evaluate", "--weights", "ci2p-q5-v9", "--data", "."],
                                     "no codec 'ci2p-q5-v9'"),
    "a misspelt codec to fine-tune": (["ci2p.codec", "pretrain", "--data", ".", "--out", "o", "--init", "ci2p-q5-v9"],
                                      "no codec 'ci2p-q5-v9'"),
    "a misspelt codec to refit": (["ci2p.codec", "refit-prior", "--data", ".", "--out", "o", "--init", "ci2p-q5-v9"],
                                  "no codec 'ci2p-q5-v9'"),
    "a misspelt codec to build a store with": (["ci2p.store", "build", "--dataset", "imagefolder", "--data-dir", ".", "--out", "o",
                                                "--encoder-weights", "ci2p-q5-v9"], "no codec 'ci2p-q5-v9'"),
    # DataLoader workers under a $TMPDIR too deep for their Unix socket would wait forever: one line instead
    "workers under a deep TMPDIR": (["ci2p.train", "--workers", "2"], "too deep for DataLoader workers"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_one_line_no_traceback(case, tmp_path, run):
    args, msg = CASES[case]
    f = tmp_path / "a_file"; f.write_text("x")
    deep = tmp_path / ("d" * 80) if "TMPDIR" in case else None   # deeper than a Unix socket path allows
    if deep: deep.mkdir()
    r = run(tmp_path, *[a.replace("{file}", str(f)) for a in args], *(["--out", str(tmp_path / "o")] if args[0] == "ci2p.train" else []),
            tmpdir=str(deep) if deep else None)
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])
    assert "Traceback" not in r.stderr and msg in r.stderr, r.stderr[-2000:]
    lines = [ln for ln in r.stderr.splitlines() if ln.strip() and "Warning" not in ln and "warn(" not in ln]
    assert len(lines) == 1, r.stderr


def test_a_mistake_typed_in_a_shell(tmp_path):
    "One mistake through a real `python -m` process, as a shell starts it: the path the warm runs stand in for."
    import subprocess
    import sys
    r = subprocess.run([sys.executable, "-m", "ci2p.train", "--lr", "-1", "--out", str(tmp_path / "o")], capture_output=True,
                       text=True, env={**os.environ, "OMP_NUM_THREADS": "1"}, timeout=300, cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr[-2000:]
    assert r.stderr.splitlines()[-1] == "python -m ci2p.train: error: --lr must be > 0, got -1.0", r.stderr[-2000:]


def test_model_keyword_without_value(tmp_path, run):
    "`--model-kwargs depth` (no `=`): argparse's usage and one error line, not timm's ValueError traceback."
    r = run(tmp_path, "ci2p.train", "--model-kwargs", "depth", "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr[-2000:]
    assert r.stderr.splitlines()[-1].endswith("error: argument --model-kwargs: 'depth' is not KEY=VALUE"), r.stderr


OUT_IS_A_FILE = {  # a command and the least it needs to reach its output folder
    "ci2p.train": [],
    "ci2p.store build": [],
    "ci2p.codec pretrain": ["--steps", "60", "--data", "."],
    "ci2p.codec refit-prior": ["--init", "ci2p-q5", "--data", "."],
}


@pytest.mark.parametrize("command", sorted(OUT_IS_A_FILE))
def test_out_is_an_existing_file(command, tmp_path, run):
    "--out naming an existing file: one line before any work, not a FileExistsError at the first checkpoint."
    f = tmp_path / "a_file"; f.write_text("x")
    r = run(tmp_path, *command.split(), *OUT_IS_A_FILE[command], "--out", str(f))
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr[-2000:]
    assert f"--out {f} is an existing file" in r.stderr and f.read_text() == "x", r.stderr[-2000:]


def test_a_folder_that_holds_a_run(tmp_path, run):
    """A folder whose run trained with seed 0: a fresh start without --resume, or --resume with another seed, is one line
    and the run untouched; --resume with its settings carries it on; --overwrite with a mistyped --data-dir is refused
    and deletes nothing; --overwrite trains afresh, leaving nothing of it."""
    out, small = tmp_path / "run", ["--img-size", "32", "--max-train-samples", "16", "--max-val-samples", "8",
                                    "--batch-size", "8", "--no-progress"]
    assert run(tmp_path, "ci2p.train", *small, "--out", str(out)).returncode == 0
    before = (out / "result.json").read_bytes()
    for again, said in ((["--seed", "1"], "--resume carries it on, --overwrite deletes it"),
                        (["--seed", "1", "--epochs", "2", "--resume"], "--seed 0 then, 1 now")):
        r = run(tmp_path, "ci2p.train", *small, *again, "--out", str(out))
        assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr[-2000:]
        assert said in r.stderr and (out / "result.json").read_bytes() == before, r.stderr[-2000:]
    r = run(tmp_path, "ci2p.train", *small, "--epochs", "2", "--lr", "5e-5", "--resume", "--out", str(out))  # on
    assert r.returncode == 0 and "resumed" in r.stderr + r.stdout, r.stderr[-2000:]
    before = (out / "result.json").read_bytes()
    r = run(tmp_path, "ci2p.train", *small, "--seed", "1", "--overwrite", "--dataset", "imagefolder",
            "--data-dir", str(tmp_path / "mistyped"), "--out", str(out))   # refused for its data: the run is still there
    assert r.returncode == 2 and "does not exist" in r.stderr, r.stderr[-2000:]
    assert (out / "result.json").read_bytes() == before and (out / "checkpoints" / "epoch0002.state.pt").is_file()
    r = run(tmp_path, "ci2p.train", *small, "--seed", "1", "--overwrite", "--out", str(out))
    assert r.returncode == 0, r.stderr[-2000:]
    res = json.loads((out / "result.json").read_text())
    assert res["config"]["seed"] == 1 and len(res["history"]) == 1, res["history"]
    # the seed-0 run's epoch-2 checkpoint is gone, not kept in last.json as this run's fallback
    assert sorted(p.name for p in (out / "checkpoints").iterdir()) == \
        ["epoch0001.safetensors", "epoch0001.state.pt", "last.json"]


REFUSED_INPUT = {  # a command, and the flags that name its input: a folder that is not there
    "ci2p.train": ["--dataset", "imagefolder", "--data-dir"],
    "ci2p.store build": ["--dataset", "imagefolder", "--data-dir"],
    "ci2p.codec pretrain": ["--steps", "60", "--data"],
    "ci2p.codec refit-prior": ["--init", "ci2p-q5", "--data"],
}


@pytest.mark.parametrize("command", sorted(REFUSED_INPUT))
def test_refused_for_its_input_leaves_no_folder(command, tmp_path, run):
    "A command refused for its input (a folder that is not there) leaves no empty --out behind."
    out = tmp_path / "out"
    r = run(tmp_path, *command.split(), *REFUSED_INPUT[command], str(tmp_path / "missing"), "--out", str(out))
    assert r.returncode == 2 and "Traceback" not in r.stderr and "does not exist" in r.stderr, r.stderr[-2000:]
    assert not out.exists(), sorted(p.name for p in out.iterdir())
