"""Fail when the notebooks (the source) and ci2p/ (generated) are out of sync.

Runs `nbdev_export` and `nbdev_clean` and reports every file they changed. A clean, committed tree
is left untouched; an out-of-sync one is fixed in place and the run fails so the fix gets reviewed
and committed.
"""
import hashlib, subprocess, sys
from pathlib import Path

root = Path(__file__).resolve().parents[1]
bindir = Path(sys.executable).parent

def snapshot():
    files = [p for d in ("ci2p", "nbs") for p in (root / d).rglob("*")
             if p.is_file() and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts]
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}

notebooks = sorted((root / "nbs").rglob("[0-9]*.ipynb"))
if not notebooks:
    sys.exit("check_sync: no notebooks found in nbs/ - nothing would be tested.")
before = snapshot()
for cmd in ("nbdev_export", "nbdev_clean"):
    exe = bindir / cmd
    subprocess.run([str(exe) if exe.exists() else cmd], cwd=root, check=True)
after = snapshot()
changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
if changed:
    print("check_sync: FAILED - the library (ci2p/) or the notebooks (nbs/) were out of sync.")
    print("nbdev_export / nbdev_clean changed:")
    for f in changed: print("  ", f)
    print("A notebook was edited without running `nbdev_export` (or not cleaned). The files above have been")
    print("regenerated in place: review `git diff`, then commit them. Never edit ci2p/*.py by hand.")
    sys.exit(1)
print(f"check_sync: ok - {len(notebooks)} notebooks, library and notebooks in sync.")
