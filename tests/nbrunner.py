"""Run one library notebook as `nbdev_test --path NB` does, in a process of its own that starts warm.

Starting Python and importing torch, timm, compressai and ci2p costs more CPU than most library notebooks need for their
own cells, and `make test` runs every library notebook. So each test process of the suite starts one multiprocessing
fork server that has imported those once (`PRELOAD`); every notebook then runs in a fresh child forked
from that server. The child is still a process of its own: nothing a notebook does reaches the next one, and the
scratch folders it made are removed when it ends (multiprocessing's finalizers and the `atexit` handlers both run, as
at the end of any Python process). Inside the child, nbdev's own `test_nb` runs the notebook with the arguments
`nbdev_test` gives it: the skip flags from settings.ini, the forced flags, the project root on `sys.path`, and the
notebooks' folder as working directory.
"""
import atexit
import multiprocessing as mp
import multiprocessing.forkserver
import multiprocessing.util
import os
import sys
import tempfile
from pathlib import Path

PRELOAD = ["torch", "timm", "compressai", "ci2p", "nbdev.test", "execnb.shell", "fastcore.test", "nbrunner"]


def start_server() -> mp.context.BaseContext:
    """The fork server, started now with the libraries in `PRELOAD` imported. Its socket goes in this process's
    multiprocessing folder, made here before any test points `$TMPDIR` at a folder of its own."""
    multiprocessing.util.get_temp_dir()
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    multiprocessing.forkserver.ensure_running()
    return ctx


def _run(nb: str, force_flags: str, tmpdir: str, stdout: str, stderr: str, root: str) -> None:
    "The child: `$TMPDIR` as the test gave it, output to two files, then nbdev's `test_nb` on `nb`."
    os.environ["TMPDIR"] = tmpdir
    tempfile.tempdir = None                                   # tempfile reads $TMPDIR again
    mp.current_process()._config.pop("tempdir", None)         # as does multiprocessing (DataLoader workers' sockets)
    mp.set_start_method(None, force=True)    # the platform's default, as in a fresh process, not this server's method
    for fd, path in ((1, stdout), (2, stderr)):
        with open(path, "w") as f: os.dup2(f.fileno(), fd)
    try:
        from nbdev.config import get_config
        from nbdev.test import test_nb
        os.chdir(root)
        cfg = get_config()
        os.chdir(cfg.nbs_path)
        ok, _ = test_nb(Path(nb), skip_flags=cfg.tst_flags.split(), force_flags=force_flags.split(),
                        basepath=cfg.config_path)
        if ok: print("Success.")
    finally:
        atexit._run_exitfuncs()                               # what a process runs at its end
        sys.stdout.flush(); sys.stderr.flush()
    if not ok: sys.exit(1)


def run_notebook(ctx, nb: Path, force_flags: str, tmpdir: Path, logs: Path, root: Path, timeout: float = 1800):
    """Run `nb` in a child of the server `ctx`; (exit code, stdout, stderr). The child's `$TMPDIR` is `tmpdir`; its
    output is kept in `logs`, which must lie outside `tmpdir`."""
    out, err = logs / f"{nb.stem}.out", logs / f"{nb.stem}.err"
    p = ctx.Process(target=_run, args=(str(nb), force_flags, str(tmpdir), str(out), str(err), str(root)))
    p.start(); p.join(timeout)
    if p.is_alive(): p.kill(); p.join()
    return p.exitcode, out.read_text(), err.read_text()
