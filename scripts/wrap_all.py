"""Rewrap the `__all__` lists that `nbdev_export` writes into ci2p/ to at most 120 characters a line.

nbdev 2 wraps `__all__` at 120 characters before it prefixes `__all__ = `, so a first line can reach 130; ruff checks
120 on ci2p/. `make export` and scripts/check_sync.py run this right after `nbdev_export`.
"""
import re
import textwrap
from pathlib import Path

root = Path(__file__).resolve().parents[1]
pat = re.compile(r"^__all__ = \[(.*?)\]$", re.S | re.M)
for f in sorted((root / "ci2p").rglob("*.py")):
    if f.name == "_modidx.py": continue
    src = f.read_text()
    m = pat.search(src)
    if not m or all(len(line) <= 120 for line in m.group(0).splitlines()): continue
    names = " ".join(m.group(1).split())
    lines = textwrap.wrap(names, 120, initial_indent="__all__ = [", subsequent_indent=" " * 11, break_long_words=False)
    f.write_text(src[:m.start()] + "\n".join(lines) + "]" + src[m.end():])
