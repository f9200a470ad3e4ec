"""Each experiment notebook, run as its documented papermill command is typed: from the repository root (no --cwd),
with the `ci2p` kernel, into a fresh temporary output folder, at a tiny setting. Nothing is written in the repository."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from ci2p.encoder import DEFAULT_ENCODER_WEIGHTS

ROOT = Path(__file__).resolve().parents[1]

# notebook: (tiny parameters, files the run must write into out_dir)
TINY = {
    "05_train_animals10": (["-p", "img_size", "32", "-p", "max_train_samples", "64", "-p", "max_val_samples", "32",
                            "-p", "batch_size", "32"], ["summary.json", "summary.csv", "summary.md", "fig5_val_top1.png"]),
    "08_ablations": (["-p", "img_size", "32", "-y", "studies: [latent, rate]", "-y", "seeds: [0, 1]", "-p", "epochs", "1",
                      "-p", "max_train_samples", "48", "-p", "max_val_samples", "32", "-p", "batch_size", "16"],
                     ["summary.json", "summary.md", "summary.csv", "rows.csv", "studies.png"]),
    "06_complexity": (["-y", "models: [vit_base_gap, ci2p_vit_base, ci2p_vit_base_ds, vit_base_p32_gap]",
                       "-y", "img_sizes: [256]"],
                      ["complexity.csv", "complexity.md", "complexity.json"]),
    "07_throughput": (["-p", "full", "False"], ["throughput_cpu.csv", "throughput_cpu.png"]),
    "10_codec": (["-p", "data", "{tmp}/photos", "-p", "long_side", "192", "-p", "max_images", "2",
                  "-y", "training_metrics: [ci2p/assets/ci2p-q5.metrics.json, ci2p/assets/ci2p-q5-v2.metrics.json]",
                  "-p", "weights", "ci2p-q5", "-y", "baselines: [ci2p-q5-v2]", "-y", "decoder_check_dir: [{tmp}/checks]",
                  "-p", "paired_dir", "{tmp}/paired",
                  "-p", "prior_check_crops", "3", "-p", "prior_check_steps", "20", "-p", "prior_check_data", "{tmp}/photos"],
                 ["summary.json", "summary.md", "rate_distortion.png", "worst_crops.png", "rate_floor.png",
                  "training_curve.png"]),
    "12_imagenet": (["-p", "img_size", "32", "-p", "max_train_samples", "64", "-p", "max_val_samples", "32",
                     "-p", "batch_size", "32"],
                    ["summary.json", "summary.md", "val_top1.png"]),
    "13_store": (["-p", "photos", "{tmp}/photos", "-p", "img_size", "64", "-p", "model", "ci2p_vit_tiny",
                  "-p", "baseline", "vit_tiny_gap",
                  "-p", "batch_size", "2", "-p", "steps", "1", "-p", "reps", "2", "-p", "workers", "0", "-p", "bank_views", "2"],
                 ["summary.json", "summary.md", "sizes.csv", "loading.csv", "training.csv", "race.csv", "imagenet.csv",
                  "store.png"]),
    "14_bank": (["-p", "tasks", "demo", "-p", "seeds", "0,1", "-p", "banks", "2", "-p", "epochs", "1",
                 "-p", "demo_train", "20", "-p", "demo_val", "10",
                 "-p", "img_size", "32", "-p", "batch_size", "8"], ["summary.json", "summary.md", "rows.csv", "summary.csv", "bank.png"]),
    "15_latent_aug": (["-p", "tasks", "demo", "-p", "seeds", "0,1", "-p", "bank", "2", "-p", "epochs", "1", "-p", "demo_train", "20",
                       "-p", "demo_val", "10", "-p", "img_size", "64", "-p", "batch_size", "8"],
                      ["summary.json", "summary.md", "rows.csv", "summary.csv", "verdicts.csv", "latent_aug.png"]),
    "11_demo": (["-p", "n_train", "96", "-p", "n_test", "48", "-p", "img_size", "32", "-p", "epochs", "2", "-p", "batch_size", "32",
                 "-p", "codec_eval_images", "4"], ["summary.json", "summary.md", "val_top1.png", "codec_reconstructions.png"]),
}
EXPERIMENTS = sorted(p.stem for p in (ROOT / "nbs").glob("[0-9]*.ipynb"))


def test_every_experiment_has_a_tiny_setting():
    assert EXPERIMENTS and set(EXPERIMENTS) == set(TINY), f"experiment notebooks {EXPERIMENTS} vs tested {sorted(TINY)}"


def run_papermill(name, tmp_path, extra=()):
    params = [p.replace("{tmp}", str(tmp_path)) for p in TINY[name][0]] + list(extra)
    import shutil
    if name in ("10_codec", "13_store"):  # two photographs that ship with scikit-image stand in for the gathered ones
        import skimage
        (tmp_path / "photos").mkdir()
        for f in ("chelsea.png", "coffee.png"): shutil.copy(Path(skimage.__file__).parent / "data" / f, tmp_path / "photos" / f)
    if name == "10_codec":  # two refinement runs from ci2p-q5, as `pretrain --init` lays them out (only what the notebook reads)
        for run, train, lr, psnr in (("decoder-lr1e-4-s0", "decoder", 1e-4, 31.0), ("all-lr2e-5-s0", "all", 2e-5, 30.0)):
            (tmp_path / "checks" / run).mkdir(parents=True)
            cfg = {"init": "ci2p-q5", "train": train, "decoder_latent": "round", "seed": 0, "steps": 40, "crop": 64,
                   "batch_size": 2, "lr": lr}
            (tmp_path / "checks" / run / "metrics.json").write_text(json.dumps(
                {"config": cfg, "evals": [{"step": 20, "eval_bpp": 0.9, "eval_psnr": 20.0},
                                          {"step": 40, "eval_bpp": 0.7, "eval_psnr": psnr}]}))
    if name == "10_codec" and not extra:  # the paired recipe check's layout, <recipe>-s<seed>: two shipped codecs stand in for trained runs
        for recipe, codec in (("plain", "ci2p-q5"), ("colour", "ci2p-q5-v2")):
            for seed in (1, 2, 3):
                run = tmp_path / "paired" / f"{recipe}-s{seed}"; run.mkdir(parents=True)
                shutil.copy(ROOT / "ci2p" / "assets" / f"{codec}.safetensors", run / "codec.safetensors")
                (run / "metrics.json").write_text(json.dumps({"config": {"steps": 200}}))
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "papermill", f"nbs/{name}.ipynb", str(tmp_path / f"{name}{len(extra)}.ipynb"), "-k", "ci2p",
           *params, "-p", "out_dir", str(out)]
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return out


@pytest.mark.parametrize("name", sorted(TINY))
def test_experiment_notebook(name, tmp_path, clean_tmpdir):
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
        top1 = {row["model"]: row["best_top1"] for row in s["table"]}   # the paper's Fig. 5 figures are best top-1
        verdicts = {c["key"]: c["direction"] for c in s["claims"]}  # each verdict follows from the table's own numbers
        assert verdicts["more_accurate_than_vit"] == ("holds" if top1["ci2p_vit_tiny"] > top1["vit_tiny_gap"] else "does NOT hold") \
            + " (direction only, 1 seed)"                                                  # one seed: a direction, said as such
        # a fresh output folder: the latent cache is built in the run, and the speed claim says so and counts it
        assert s["table"][1]["latent_cache"] == "cold" and "cache cold" in {c["key"]: c["here"] for c in s["claims"]}["trains_faster"]
        assert s["codec"]["weights"] == DEFAULT_ENCODER_WEIGHTS and 0 < s["codec"]["bpp"] < 8
    if name == "13_store":
        s = json.loads((out / "summary.json").read_text())
        size = {r["what"]: r["bytes_per_view"] for r in s["sizes"]}
        # y16 holds 2 bytes per latent value, yhat 1 or 2, zstd and the entropy coder less: the sizes come from the stores written
        assert size["store: bitstream"] < size["store: yhat"] < size["store: y16"] and size["store: yhat-zstd"] < size["store: yhat"]
        assert [(r["key"], r["input"]) for r in s["training"]] == [
            ("A", "64-px JPEG"), ("B", "64-px JPEG, live encoder"), ("C", "store: yhat-zstd")]
        # interleaved, each rep its own ratio
        assert len(s["race"]) == 2 * 3 and all(r["speedup"] == 1 for r in s["race"] if r["key"] == "A")
        assert all(r["images_per_s"] > 0 for r in s["race"]) and all(r["views_per_s"] > 0 for r in s["loading"])
        assert s["check"]["always_hashed"] == s["check"]["files"] > 0 and s["check"]["cached_hashed"] == 0   # the record spares the hashing
    if name == "14_bank":
        s = json.loads((out / "summary.json").read_text())
        assert [(r["arm"], r["seeds"]) for r in s["summary"]] == [("live", 2), ("flip store", 2), ("bank K=2", 2)]
        assert [r["views"] for r in s["stores"]] == [2, 2] and all(r["train_MB"] > 0 for r in s["stores"])
        assert all("seeds" in v["verdict"] or "seed range" in v["verdict"] for v in s["verdicts"])   # two seeds: judged against their range
    if name == "15_latent_aug":
        s = json.loads((out / "summary.json").read_text())
        arms = [r["arm"] for r in s["summary"]]
        pair = "+" + ",".join(s["settings"]["pair"])   # the two single augmentations with the largest mean gain, in table order
        best = sorted(s["single_gain_pts"], key=s["single_gain_pts"].get, reverse=True)[:2]
        assert sorted(s["settings"]["pair"]) == sorted(best) and len(s["settings"]["pair"]) == 2
        assert arms == ["flip store", "+noise", "+rrc", "+translate", pair, "bank K=2"], arms   # ci2p.latent_aug.LATENT_AUGS order
        assert all(r["seeds"] == 2 for r in s["summary"]) and [r["views"] for r in s["summary"]] == [2] * 5 + [2]
        assert all("direction only, 2 seeds" in v["verdict"] and not v["better"] and not v["worse"] for v in s["verdicts"])
        assert not any(s["goal"].values())                                          # two seeds resolve nothing: no arm meets it
        cfgs = [json.loads(p.read_text())["config"]["latent_aug"] for p in sorted((out / "runs" / "demo").glob("*/run.json"))]
        assert sorted(set(cfgs)) == sorted({"", "translate", "rrc", "noise", ",".join(s["settings"]["pair"])}), cfgs
    if name == "05_train_animals10":
        s = json.loads((out / "summary.json").read_text())
        assert s["encoders"]["ci2p_vit_tiny"]["weights"] == DEFAULT_ENCODER_WEIGHTS and s["encoders"]["ci2p_vit_tiny"]["frozen"]
        assert s["encoders"]["cnn_vit_tiny"]["weights"] == "random" and s["encoders"]["vit_tiny_gap"] is None
        assert f"ci2p_vit_tiny: {DEFAULT_ENCODER_WEIGHTS} (frozen)" in (out / "summary.md").read_text()
        # the figures and tables again, from the runs already there (as after torchrun), without training
        stamp = (out / "ci2p_vit_tiny" / "result.json").stat().st_mtime_ns
        run_papermill(name, tmp_path, ["-p", "train_models", "False"])
        again = json.loads((out / "summary.json").read_text())
        assert again["table"] == s["table"] and (out / "ci2p_vit_tiny" / "result.json").stat().st_mtime_ns == stamp
        # a random frozen encoder at full scale is refused with a message, before anything is trained
        r = subprocess.run([sys.executable, "-m", "papermill", "nbs/05_train_animals10.ipynb", str(tmp_path / "refused.ipynb"),
                            "-k", "ci2p",
                            "-p", "preset", "paper", "-p", "encoder_weights", "random", "-p", "out_dir", str(tmp_path / "refused")],
                           cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert r.returncode != 0 and "allow_random_encoder=True" in r.stdout + r.stderr
    if name == "08_ablations":
        s = json.loads((out / "summary.json").read_text())
        keys = {r["key"] for r in s["rows"]}
        assert {"ci2p_vit_tiny", "ci2p_vit_tiny-latent=yhat", "ci2p_vit_tiny-quality=8-w=ci2p-q8"} <= keys
        assert len(s["rows"]) == 2 * (2 + 4) and s["reference_codec"].startswith("ci2p-q5")   # the reference appears in both studies
        runs = {p.name for p in (out / "runs").iterdir()}
        assert len(runs) == 2 * 5, runs                                                      # ... but is trained once per seed
        assert all(r["resolved"] is False for r in s["summary"])                            # two seeds resolve nothing (3 needed)
        # the committed rows summarised again without training: the same tables, nothing trained, the command says how
        stamp = {p.name: p.stat().st_mtime_ns for p in (out / "runs").iterdir()}
        run_papermill(name, tmp_path, ["-p", "rows_csv", str(out / "rows.csv")])
        again = json.loads((out / "summary.json").read_text())
        import pandas as pd   # the same tables (floats through a CSV and back: equal to 1e-9)
        pd.testing.assert_frame_equal(pd.DataFrame(again["summary"]), pd.DataFrame(s["summary"]), rtol=1e-9)
        assert again["rows_read_back"] and "-p rows_csv" in again["command"]
        assert {p.name: p.stat().st_mtime_ns for p in (out / "runs").iterdir()} == stamp
    if name == "12_imagenet":
        s = json.loads((out / "summary.json").read_text())
        assert [h["model"] for h in s["gpu_hours"]] == ["vit_base_gap", "vit_base_p32_gap", "ci2p_vit_base", "ci2p_vit_base_ds"]
        assert [h["source"] == "measured" for h in s["gpu_hours"]] == [True, False, True, True]
        assert len(s["commands"]) == 3 and all(c.startswith("torchrun --nproc_per_node 1 -m ci2p.train") for c in s["commands"].values())
    if name == "10_codec":
        s = json.loads((out / "summary.json").read_text())
        r = s["sets"]["folder/ci2p-q5"]
        assert r["n_images"] == 2 and s["weights"] == "ci2p-q5" and len(s["images"]) == 2
        assert abs(r["delta"]["mean"]["psnr"] - (r["mean"]["psnr"] - r["jpeg_mean"]["psnr"])) < 1e-9   # the codec minus JPEG
        assert set(s["sets"]) == {"folder/ci2p-q5", "folder/ci2p-q5-v2"} and "d_psnr_ci2p-q5-v2" in s["images"][0]
        # the prior refit is the shipped default's, and the prior check refits the init's prior twice (plain, recoloured):
        # a refit changes the rate, never the PSNR, since the transforms stay
        assert s["prior_refit"]["config"]["init"] == "ci2p-q5-v3" and len(s["prior_check"]) == 3
        base, *refits = s["prior_check"]
        assert all(r["eval_psnr"] == base["eval_psnr"] and r["eval_bpp"] != base["eval_bpp"] for r in refits)
        assert "## The prior refit" in (out / "summary.md").read_text()
        # each codec's floor bounds what a photograph spends on median symbols (both photographs are 192 x 128 here:
        # multiples of 16, so no padding adds positions)
        floors = s["rate_floor"]["zero_floor_bpp"]
        assert set(floors) == {"ci2p-q5", "ci2p-q5-v2"} and all(0 < i["zero_bpp"] <= floors["ci2p-q5"] + 1e-6 for i in s["images"])
        # two training stages, the second (v2, fine-tuned from ci2p-q5) continuing the first's step count on the curve
        assert [t["codec"] for t in s["training"]] == ["ci2p-q5", "ci2p-q5-v2"]
        md = (out / "summary.md").read_text()
        q5_steps, v2_steps = (t["config"]["steps"] for t in s["training"])
        assert f"`ci2p-q5-v2`: steps {q5_steps + 1:,}-{q5_steps + v2_steps:,} (the whole codec, from `ci2p-q5`)" in md, md
        # the refinement check: each run's last estimate against one estimate of the codec both started from, its options
        # read from its config (the lr as code: the markdown table would print "1e-04" as 0.000)
        chk = s["decoder_check"]
        assert [(r["train"], r["lr"], r["crop"], r["eval_psnr"], r["eval_bpp"]) for r in chk] == [
            ("all", "`2e-05`", 64, 30.0, 0.7), ("decoder", "`1e-04`", 64, 31.0, 0.7)]
        starts = {round(r["eval_psnr"] - r["d_psnr_vs_init"], 9) for r in chk}
        assert len(starts) == 1 and 25 < starts.pop() < 50 and all(0 < r["init_bpp"] < 3 for r in chk), chk
        assert "## Refinement check (`folder`)" in md and "`1e-04`" in md and "`2e-05`" in md
        # the paired recipe check, judged by the one rule: three seeds a recipe, each seed the same codec here (no range),
        # so any difference is beyond both ranges and the verdict follows its sign
        pv = s["paired_verdict"]
        assert pv["colour"]["seeds"] == pv["plain"]["seeds"] == 3 and len(s["paired"]) == 6
        x = pv["colour"]["mean"] - pv["plain"]["mean"]
        assert pv["verdict"] == ("colour better" if x > 0 else "colour not better") + " here (3 seeds, beyond both seed ranges)", pv
        assert pv["verdict"] in md
    if name == "06_complexity":
        assert "## Erratum" in (out / "complexity.md").read_text()
        c = json.loads((out / "complexity.json").read_text())   # the commit and tree state, like every other result
        commit = c["meta"]["git"]["commit"]
        assert len(commit) == 40 and c["rows"] and "at commit " + commit[:7] in (out / "complexity.md").read_text()


def documented_papermill_commands():
    "(file, command) of every `papermill nbs/...` command in the README files and the experiment notebooks' prose."
    import re
    sources = [ROOT / "README.md", ROOT / "results" / "README.md"] + [ROOT / "nbs" / f"{n}.ipynb" for n in EXPERIMENTS]
    found = []
    for f in sources:
        text = f.read_text()
        if f.suffix == ".ipynb":
            text = "\n".join("".join(c["source"]) for c in json.loads(text)["cells"] if c["cell_type"] == "markdown")
        text = re.sub(r"\\\n\s*", " ", text)  # join continued lines
        found += [(f.name, m.group(0).strip()) for m in re.finditer(r"papermill nbs/\S+\.ipynb [^`\n#]*", text)]
    return found


def notebook_parameters(nb_path):
    import ast
    cells = json.loads(Path(nb_path).read_text())["cells"]
    src = next("".join(c["source"]) for c in cells if "parameters" in c["metadata"].get("tags", []))
    return {t.id for node in ast.parse(src).body if isinstance(node, ast.Assign) for t in node.targets}


def test_documented_papermill_commands_work_from_a_fresh_clone():
    """Each documented command names an experiment notebook, writes its executed copy into a folder that exists in a
    fresh clone (papermill does not create it), and sets only parameters the notebook has."""
    import shlex
    tracked = set(subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split())
    tracked_dirs = {str(Path(f).parent) for f in tracked}
    cmds = documented_papermill_commands()
    assert len(cmds) >= 6, cmds
    for where, cmd in cmds:
        args = shlex.split(cmd)
        nb, out = args[1], args[2]
        if "NN_" in nb: continue  # the generic form in the README
        assert (ROOT / nb).is_file() and nb in tracked, f"{where}: {nb} is not an experiment notebook of the repository"
        assert str(Path(out).parent) in tracked_dirs or out.startswith(("OUT", "/")), \
            f"{where}: `{cmd}` writes into {Path(out).parent}/, which does not exist in a fresh clone"
        params = notebook_parameters(ROOT / nb)
        for flag, value in zip(args, args[1:]):
            name = value.split(":")[0].strip() if flag == "-y" else value
            if flag in ("-p", "-y"): assert name in params, f"{where}: `{cmd}` sets {name!r}, not a parameter of {nb}"
