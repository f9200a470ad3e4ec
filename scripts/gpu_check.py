"""A first command for a GPU machine: does everything the full-scale runs need work here, in a few minutes?

    make gpu-check                      # = python scripts/gpu_check.py
    python scripts/gpu_check.py --json gpu_check.json

On a CUDA machine it runs, and reports one line each:
  1. one bf16 training step (the `train()` step: frozen encoder under no_grad, fused Adam, autocast) of every model
     family at 256 px: ViT-B/16, ViT-B/32, CI2P-ViT, CI2P-ViT^ds, CNN-ViT; the loss must be finite and the trained
     weights must change while the frozen encoder's do not;
  2. one `torch.compile` training step of CI2P-ViT;
  3. a 1-GPU `torchrun` run of `python -m ci2p.train` (NCCL process group, DDP, one epoch on the embedded demo data);
  4. a short throughput measurement of ViT-B/16 against CI2P-ViT (`ci2p.bench`, bf16) with the FLOP ceiling.
It exits 1 if any check failed. Without CUDA it says so and exits 0; `--device cpu` runs the same checks on the CPU
with tiny models (what the tests do).
"""
from __future__ import annotations
import argparse, json, os, subprocess, sys, tempfile, time, traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path: sys.path.insert(0, str(ROOT))  # the repository's ci2p, installed or not


def _step_check(name: str, img_size: int, batch_size: int, device, amp: str, compile: bool = False) -> str:
    import torch
    import ci2p  # noqa: F401  (registers the models)
    from ci2p.embed import ci2p_stem
    from ci2p.train import TrainConfig, autocast_context, build_model, build_optimizer, resolve_run, train_step
    torch.manual_seed(0)
    cfg = resolve_run(TrainConfig.of(model=name, img_size=img_size, batch_size=batch_size, amp=amp, device=str(device)))
    model = build_model(num_classes=10, **cfg.model_args()).to(device).train()
    params, opt, _ = build_optimizer(model, **cfg.optimizer_args(), device=device)
    wrapped = torch.compile(model) if compile else model
    ctx, _ = autocast_context(amp, device)
    x, y = torch.randn(batch_size, 3, img_size, img_size, device=device), torch.randint(0, 10, (batch_size,), device=device)
    stem = ci2p_stem(model)
    frozen = [p.detach().clone() for p in stem.encoder.parameters()] if stem is not None and stem.encoder.frozen else []
    before = [p.detach().clone() for p in params]
    t = time.perf_counter()
    for _ in range(2):  # the first step of a compiled model compiles; the second is a plain step
        loss = train_step(wrapped, x, y, opt, torch.nn.CrossEntropyLoss(), params, ctx)
    if device.type == "cuda": torch.cuda.synchronize()
    if not torch.isfinite(loss): raise AssertionError(f"loss is {loss.item()}")
    if not any((a != p).any() for a, p in zip(before, params)): raise AssertionError("no trained weight changed")
    if any((a != p).any() for a, p in zip(frozen, stem.encoder.parameters() if frozen else [])):
        raise AssertionError("the frozen encoder changed")
    return f"loss {loss.item():.3f}, {len(params)} trained tensors, {time.perf_counter() - t:.1f} s"


def _torchrun_check(device, tiny: bool) -> str:
    with tempfile.TemporaryDirectory(prefix="ci2p-gpu-check-") as tmp:
        out = Path(tmp)
        cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "1", "--master_port", "29531", "-m", "ci2p.train",
               "--model", "ci2p_vit_tiny" if tiny else "ci2p_vit_small", "--dataset", "demo", "--img-size", "64",
               "--epochs", "1", "--batch-size", "32", "--max-train-samples", "128", "--max-val-samples", "64",
               "--device", device.type, "--out", str(out), "--no-progress"]
        r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
        if r.returncode: raise AssertionError(f"torchrun exited {r.returncode}:\n{(r.stdout + r.stderr)[-2000:]}")
        run = json.loads((out / "run.json").read_text())
        res = json.loads((out / "result.json").read_text())
    backend = run.get("backend")
    want = "nccl" if device.type == "cuda" else "gloo"
    if backend != want: raise AssertionError(f"the process group used {backend!r}, expected {want!r}")
    return f"process group {backend}, world size {run['world_size']}, val top-1 {res['history'][-1]['val_top1']:.1f} %"


def _bench_check(device, tiny: bool) -> str:
    from ci2p.bench import run_bench
    models = ["vit_tiny_gap", "ci2p_vit_tiny"] if tiny else ["vit_base_gap", "ci2p_vit_base"]
    rows = run_bench(models, img_sizes=(64,) if tiny else (256,), cache_latents=False, progress=False, device=str(device),
                     batch_size=8 if tiny else 128, warmup=1 if tiny else 5, steps=2 if tiny else 10,
                     amp="bf16" if device.type == "cuda" else "off")
    r = rows[-1]
    for row in rows:
        if not row["images_per_s"] > 0: raise AssertionError(f"{row['model']}: no throughput measured")
    return (f"{rows[0]['model']} {rows[0]['images_per_s']:.0f} img/s, {r['model']} {r['images_per_s']:.0f} img/s: "
            f"{r['speedup']:.2f}x against a FLOP ceiling of {r['flop_ratio']:.2f}x")


def run_checks(device_name: str | None = None, skip=()) -> list[dict]:
    "Every check on `device_name` (default: cuda) whose name has none of `skip` in it; a list of {check, ok, detail, seconds}."
    import torch
    device = torch.device(device_name or "cuda")
    tiny = device.type != "cuda"
    size, amp = ("tiny", "off") if tiny else ("base", "bf16")
    img, bs = (64, 4) if tiny else (256, 16)
    checks = [(f"bf16 step {m}" if not tiny else f"step {m}", _step_check, (m, img, bs, device, amp))
              for m in (f"vit_{size}_gap", f"vit_{size}_p32_gap", f"ci2p_vit_{size}", f"cnn_vit_{size}")]
    if not tiny: checks.insert(3, ("bf16 step ci2p_vit_base_ds", _step_check, ("ci2p_vit_base_ds", img, bs, device, amp)))
    checks += [(f"torch.compile step ci2p_vit_{size}", _step_check, (f"ci2p_vit_{size}", img, bs, device, amp, True)),
               ("torchrun, 1 process", _torchrun_check, (device, tiny)),
               ("throughput", _bench_check, (device, tiny))]
    results = []
    for name, fn, args in checks:
        if any(k in name for k in skip): continue
        t = time.perf_counter()
        try: ok, detail = True, fn(*args)
        except Exception as e:  # a check that fails is reported, the others still run
            ok, detail = False, f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=3)}"
        results.append({"check": name, "ok": ok, "detail": detail, "seconds": round(time.perf_counter() - t, 1)})
        print(f"{'PASS' if ok else 'FAIL'}  {name:<34} {detail.splitlines()[0] if ok else detail}", flush=True)
        if device.type == "cuda": torch.cuda.empty_cache()
    return results


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--device", default=None, help="cuda (default when present) or cpu (the same checks, tiny models)")
    p.add_argument("--json", default=None, help="write the results here")
    p.add_argument("--skip", nargs="*", default=[], help="leave out the checks whose name contains one of these words (e.g. compile)")
    args = p.parse_args(argv)
    import torch
    if args.device is None and not torch.cuda.is_available():
        print("gpu-check: no CUDA device on this machine; nothing to check (use --device cpu to run the checks on the CPU).")
        return 0
    if args.device and args.device.startswith("cuda") and not torch.cuda.is_available():
        print(f"gpu-check: --device {args.device}, but this machine has no CUDA device.", file=sys.stderr)
        return 2
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    if torch.cuda.is_available() and (args.device or "cuda").startswith("cuda"):
        print(f"gpu-check on {torch.cuda.get_device_name()} (torch {torch.__version__}, CUDA {torch.version.cuda})")
    results = run_checks(args.device, args.skip)
    n_ok = sum(r["ok"] for r in results)
    print(f"{n_ok} passed, {len(results) - n_ok} failed")
    if args.json:
        from ci2p.files import save_json
        from ci2p.provenance import run_metadata
        save_json({"results": results, "meta": run_metadata(args.device)}, args.json)
    return 0 if n_ok == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
