"""Processes that start warm: a library notebook as `nbdev_test --path NB` runs it, or a command as `python -m` runs it.

Starting Python and importing torch, timm, compressai and ci2p costs more CPU than most library notebooks need for their
own cells, and more than most commands need to refuse a user's mistake; `make test` runs every library notebook and
dozens of commands. So each test process of the suite starts one multiprocessing fork server that has imported those
once (`PRELOAD`), and every notebook or command then runs in a fresh child forked from that server. The child is a
process of its own: nothing it does reaches the next one, its `$TMPDIR`, environment and working folder are the ones the
test gives, its output goes to two files, and what it made for the length of its life is removed when it ends
(multiprocessing's finalizers and the `atexit` handlers both run, as at the end of any Python process).

- `run_notebook`: nbdev's own `test_nb` runs the notebook with the arguments `nbdev_test` gives it (the skip flags
  from settings.ini, the forced flags, the project root on `sys.path`, the notebooks' folder as working directory).
- `run_module`: `ci2p.cli.run_as_main`: `runpy.run_module(name, run_name="__main__")`, the function behind
  `python -m name`, with `sys.argv` as the shell would set it; its exit status is what `python -m` would return (an
  uncaught exception prints its traceback and gives 1). What the modules print while being imported was printed once, by the server.
"""
import atexit
import multiprocessing as mp
import multiprocessing.forkserver
import multiprocessing.util
import os
import sys
import tempfile
from pathlib import Path

PRELOAD = ["torch", "timm", "compressai", "ci2p", "ci2p.train", "ci2p.codec.cli", "ci2p.store.cli", "nbdev.test",
           "execnb.shell", "fastcore.test", "warm"]


def start_server() -> mp.context.BaseContext:
    """The fork server, started now with the libraries in `PRELOAD` imported. Its socket goes in this process's
    multiprocessing folder, made here before any test points `$TMPDIR` at a folder of its own."""
    multiprocessing.util.get_temp_dir()
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    multiprocessing.forkserver.ensure_running()
    return ctx


def _enter(env: dict, cwd: str, stdout: str, stderr: str) -> None:
    "In the child: the test's environment (`$TMPDIR` included) and working folder, output to two files."
    os.environ.clear(); os.environ.update(env)
    tempfile.tempdir = None                                   # tempfile reads $TMPDIR again
    mp.current_process()._config.pop("tempdir", None)         # as does multiprocessing (DataLoader workers' sockets)
    mp.set_start_method(None, force=True)    # the platform's default, as in a fresh process, not this server's method
    os.chdir(cwd)
    for fd, path in ((1, stdout), (2, stderr)):
        with open(path, "w") as f: os.dup2(f.fileno(), fd)


def _leave(code: int) -> None:
    "What a process runs at its end, then its exit status."
    try: atexit._run_exitfuncs()
    finally:
        sys.stdout.flush(); sys.stderr.flush()
    if code: sys.exit(code)


def _notebook(nb: str, force_flags: str, root: str, env: dict, stdout: str, stderr: str) -> None:
    _enter(env, root, stdout, stderr)
    ok = False
    try:
        from nbdev.config import get_config
        from nbdev.test import test_nb
        cfg = get_config()
        os.chdir(cfg.nbs_path)
        ok, _ = test_nb(Path(nb), skip_flags=cfg.tst_flags.split(), force_flags=force_flags.split(),
                        basepath=cfg.config_path)
        if ok: print("Success.")
    finally:
        _leave(0 if ok else 1)


def _module(args: list, env: dict, cwd: str, stdout: str, stderr: str) -> None:
    from ci2p.cli import run_as_main                          # the one rule for running `python -m ARGS` in a process
    _enter(env, cwd, stdout, stderr)
    _leave(run_as_main(args))


def _run(ctx, target, args: tuple, logs: Path, name: str, timeout: float):
    out, err = logs / f"{name}.out", logs / f"{name}.err"
    p = ctx.Process(target=target, args=(*args, str(out), str(err)))
    p.start(); p.join(timeout)
    if p.is_alive(): p.kill(); p.join()
    # a child that died before it opened its output files (the server gone, say) still reports its exit code
    return p.exitcode, *(f.read_text() if f.exists() else "" for f in (out, err))


def run_notebook(ctx, nb: Path, force_flags: str, root: Path, logs: Path, timeout: float = 1800):
    """Run the library notebook `nb` in a child of the server `ctx`, with this process's environment: (exit code,
    stdout, stderr). The output is kept in `logs`, which must lie outside `$TMPDIR`."""
    return _run(ctx, _notebook, (str(nb), force_flags, str(root), dict(os.environ)), logs, nb.stem, timeout)


def run_module(ctx, args, env: dict, cwd, logs: Path, timeout: float = 600):
    """`python -m ARGS` in a child of the server `ctx`, with environment `env` in folder `cwd`: (exit status, stdout,
    stderr). The output is kept in `logs` (files named after the run, which must lie outside `cwd`'s outputs)."""
    logs.mkdir(parents=True, exist_ok=True)
    name = f"run{len(list(logs.glob('*.out')))}"
    return _run(ctx, _module, ([str(a) for a in args], dict(env), str(cwd)), logs, name, timeout)
