"""Train codecs from scratch inside a fixed wall-clock budget on one GPU: `ci2p-q5`'s successor and the rate-study codecs.

    python scripts/train_codecs_gpu.py --data photos --out runs/codecs-gpu --budget-s 480 --qualities 5 1 3 8

A GPU lent for minutes is spent best on one long run per codec whose learning-rate schedule *ends* inside the time
given, so the step count cannot be fixed in advance. This script measures it instead:
  1. probe: `python -m ci2p.codec pretrain` for `--probe-steps` steps, first the first quality alone, then every quality
     at once (one process each, sharing the GPU), to measure steps/s in both arrangements;
  2. plan: all qualities at equal steps when that reaches `--min-steps` in the time left, else the first quality alone;
     the step count is the measured rate times `--rate-margin` times the time left (less `--reserve-s`), rounded down
     to 500 (the margin covers what a probe does not do: held-out curves and checkpoints; on an H200 the full run went
     at 0.79 of its probe's rate);
  3. train: each codec with exactly that `--steps` (warm-up and cosine fitted to it), concurrently, each a plain
     `python -m ci2p.codec pretrain` whose command is recorded, so any run can be repeated without this script.
`--steps N` skips the probes and trains every quality for N steps (the rate-study codecs at the shipped codec's step
count, say). It writes OUT/plan.json (probe rates, the plan, the commands) and each run's folder OUT/codec-qQ (pretrain's outputs).
Every argument after `--` goes to each pretrain unchanged (the recipe: crop, batch size, learning rate, ...).
"""
from __future__ import annotations
import argparse, json, os, subprocess, sys, time
from pathlib import Path
from ci2p.checkpoints import fresh_start
from ci2p.cli import require_at_least_one, require_distinct, require_non_negative, require_positive
from ci2p.codec.photos import is_photo_manifest, photo_files
from ci2p.codec.pretrain import PRETRAIN_OUTPUTS
from ci2p.encoder import QUALITY_LAMBDA
from ci2p.errors import UsageError
from ci2p.files import save_json
from ci2p.images import list_images
from ci2p.runtime import get_device

ROOT = Path(__file__).resolve().parents[1]
PROBE_LOG_EVERY = 10                     # a probe logs every 10 steps; its rate is read from the records after its
MIN_PROBE_STEPS = 3 * PROBE_LOG_EVERY    # first third (start-up, cuDNN's autotuning): two records at least


def pretrain_command(data: str, out: Path, quality: int, steps: int, workers: int, device: str, extra: list[str],
                     probe: bool = False) -> list[str]:
    """The `python -m ci2p.codec pretrain` command of one run (`probe`: no held-out curve, no intermediate checkpoints;
    a measurement, written over when the script runs again). A held-out curve needs a photo manifest: a folder of
    images has none, and pretrain refuses held-out flags given with one."""
    curve = str(max(steps // 10, 1)) if is_photo_manifest(data) else "0"
    every = ["--eval-every", "0", "--log-every", str(PROBE_LOG_EVERY), "--ckpt-every", str(steps), "--warmup-steps", "10",
             "--overwrite"] if probe else \
            ["--eval-every", curve, "--log-every", "100", "--ckpt-every", "1000",
             "--warmup-steps", str(min(500, steps // 20))]
    return [sys.executable, "-m", "ci2p.codec", "pretrain", "--data", data, "--out", str(out), "--quality", str(quality),
            "--steps", str(steps), "--workers", str(workers), "--device", device, *every, *extra]


def run_all(cmds: list[list[str]], logs: list[Path]) -> float:
    "Run `cmds` concurrently (each to its log); raise if one fails; return the wall time."
    t = time.time(); procs = []
    for c, log in zip(cmds, logs):
        log.parent.mkdir(parents=True, exist_ok=True)
        procs.append(subprocess.Popen(c, cwd=ROOT, stdout=open(log, "w"), stderr=subprocess.STDOUT))
    codes = [p.wait() for p in procs]
    for c, log, code in zip(cmds, logs, codes):
        if code: raise SystemExit(f"exit {code}: {' '.join(c)}\n" + log.read_text()[-3000:])
    return time.time() - t


def steps_per_s(metrics: Path, skip: int) -> float:
    "Steps/s of a finished run after its first `skip` steps (start-up, cuDNN's autotuning), from its log records."
    hist = [r for r in json.loads(metrics.read_text())["history"] if r["step"] > skip]
    return (hist[-1]["step"] - hist[0]["step"]) / max(hist[-1]["wall_s"] - hist[0]["wall_s"], 1e-9)


def plan_steps(rate: float, seconds: float, overhead_s: float) -> int:
    "Steps that fit in `seconds` at `rate` after `overhead_s` of start-up, rounded down to 500."
    return int(max(0.0, (seconds - overhead_s) * rate) // 500 * 500)


def check_args(a: argparse.Namespace) -> None:
    """What a run would refuse, or would make of no sense, refused before a probe spends the GPU's minutes: one
    `UsageError` naming the argument."""
    require_at_least_one(a, "qualities", "probe_steps", "min_steps", "steps")   # --steps not given (None) passes
    require_non_negative(a, "reserve_s", "workers")
    require_positive(a, "budget_s", "rate_margin")
    unknown = [q for q in a.qualities if q not in QUALITY_LAMBDA]
    if unknown: raise UsageError(f"--qualities {unknown[0]}: the qualities are {sorted(QUALITY_LAMBDA)}")
    # two runs at once in one OUT/codec-qQ would write over each other
    require_distinct(a, "qualities", why=" (each quality is one run, in OUT/codec-qQ)")
    if a.rate_margin > 1: raise UsageError(f"--rate-margin must be in (0, 1], got {a.rate_margin}")
    if a.steps is None and a.reserve_s >= a.budget_s:
        raise UsageError(f"--reserve-s {a.reserve_s:g} leaves nothing of --budget-s {a.budget_s:g} to train in")
    if a.steps is None and a.probe_steps < MIN_PROBE_STEPS:
        raise UsageError(f"--probe-steps {a.probe_steps}: a probe's rate needs at least {MIN_PROBE_STEPS} steps (two "
                         "log records after its first third)")
    get_device(a.device)        # 'cuda' on a machine without one: one line, not a failed probe
    # a missing folder or manifest, or no image: the same. Only found, not decoded or hashed: every pretrain run does
    # that itself, and a large folder decoded here would spend the lease's minutes before the GPU starts
    if is_photo_manifest(a.data): photo_files("train", a.data, verify=False)
    elif not list_images(a.data): raise UsageError(f"--data {a.data} holds no image files")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", default="photos"); p.add_argument("--out", type=Path, default=Path("runs/codecs-gpu"))
    p.add_argument("--qualities", type=int, nargs="+", default=[5, 1, 3, 8])
    p.add_argument("--budget-s", type=float, default=480, help="wall-clock seconds for everything, probes included")
    p.add_argument("--reserve-s", type=float, default=45, help="seconds kept back for held-out curves and saving")
    p.add_argument("--probe-steps", type=int, default=90)
    p.add_argument("--rate-margin", type=float, default=0.75, help="fraction of the probe's steps/s to plan with")
    p.add_argument("--min-steps", type=int, default=17_000)
    p.add_argument("--workers", type=int, default=None, help="crop workers per run (default: the CPUs shared out)")
    p.add_argument("--steps", type=int, default=None, help="train every quality this many steps; no probes, no plan")
    p.add_argument("--device", default="cuda")
    p.add_argument("--overwrite", action="store_true", help="train afresh where OUT/codec-qQ holds a run, deleting it")
    a = p.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    t0, out, qs = time.time(), a.out, a.qualities
    try:
        check_args(a)
        for q in qs:   # a codec run is never written over unasked: refused before a probe spends the budget
            fresh_start(out / f"codec-q{q}", a.overwrite, PRETRAIN_OUTPUTS, resumable=False)
    except UsageError as e: raise SystemExit(f"train_codecs_gpu.py: error: {e}") from None
    if a.overwrite: extra = [*extra, "--overwrite"]   # each run deletes its folder's earlier run once it has read its data
    out.mkdir(parents=True, exist_ok=True)
    cpus = os.cpu_count() or 2
    w1 = a.workers if a.workers is not None else max(cpus - 2, 0)
    wn = a.workers if a.workers is not None else max(cpus // len(qs) - 1, 0)
    plan = {"qualities": qs, "budget_s": a.budget_s, "extra": extra, "cpus": cpus, "probes": {}}

    probes = [] if a.steps else [("alone", qs[:1], w1)] + ([("together", qs, wn)] if len(qs) > 1 else [])
    for name, group, w in probes:
        dirs = [out / "probe" / f"{name}-q{q}" for q in group]
        wall = run_all([pretrain_command(a.data, d, q, a.probe_steps, w, a.device, extra, probe=True) for q, d in zip(group, dirs)],
                       [d / "log.txt" for d in dirs])
        rate = min(steps_per_s(d / "metrics.json", a.probe_steps // 3) for d in dirs) * a.rate_margin
        plan["probes"][name] = {"qualities": group, "workers": w, "steps_per_s_planned": rate, "wall_s": wall,
                                "overhead_s": max(wall - a.probe_steps / (rate / a.rate_margin), 0.0)}
        print(f"probe {name} {group}: {rate / a.rate_margin:.1f} steps/s, {wall:.0f} s", flush=True)

    left = a.budget_s - (time.time() - t0) - a.reserve_s
    choice = (qs, wn, a.steps) if a.steps else None
    if choice is None and "together" in plan["probes"]:
        pr = plan["probes"]["together"]
        n = plan_steps(pr["steps_per_s_planned"], left, pr["overhead_s"])
        if n >= a.min_steps: choice = (qs, wn, n)
    if choice is None:
        pr = plan["probes"]["alone"]
        choice = (qs[:1], w1, plan_steps(pr["steps_per_s_planned"], left, pr["overhead_s"]))
    group, w, n = choice
    if not a.steps and n < 1000: raise SystemExit(f"only {n} steps fit in the {left:.0f} s left: give a larger --budget-s")
    cmds = [pretrain_command(a.data, out / f"codec-q{q}", q, n, w, a.device, extra) for q in group]
    plan.update({"chosen": group, "steps": n, "workers": w, "seconds_left": left,   # the plan's inputs, to check it
                 "commands": [" ".join(c[1:]) for c in cmds]})
    save_json(plan, out / "plan.json", indent=1)   # atomic: a run cut off in training keeps its whole plan
    print(f"training {group} for {n} steps each ({w} crop workers each), {left:.0f} s left", flush=True)
    plan["train_wall_s"] = run_all(cmds, [out / f"codec-q{q}" / "log.txt" for q in group])
    save_json(plan, out / "plan.json", indent=1)
    for q in group:
        ev = json.loads((out / f"codec-q{q}" / "metrics.json").read_text())["evals"]
        curve = ", ".join(f"{e['step']}: {e['eval_psnr']:.2f} dB @ {e['eval_bpp']:.3f}" for e in ev)
        print(f"q{q}: {curve or 'no held-out curve (--data is a folder of images; a photo manifest has one)'}", flush=True)
    print(f"done in {time.time() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
