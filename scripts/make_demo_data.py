"""Build ci2p/assets/demo (the demo dataset shipped in the package): a class-balanced subset of Fashion-MNIST in its original idx format.

Source: Debian package `dataset-fashion-mnist` (files in /usr/share/datasets/fashion-mnist), i.e. the original
Fashion-MNIST release by Zalando Research (MIT licence). Deterministic: the first N_PER_CLASS images of each class,
in file order. Run: python scripts/make_demo_data.py [SRC_DIR]
"""
import gzip, hashlib, sys
from pathlib import Path
import numpy as np

SRC = Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist")
DST = Path(__file__).resolve().parents[1] / "ci2p" / "assets" / "demo"
SPLITS = {"train": ("train", 1000), "t10k": ("t10k", 200)}  # 10 classes x N per class

def read_idx(path):
    raw = gzip.open(path).read()
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return raw[:4 + 4 * ndim], np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(shape)

def write_idx(path, arr):
    "Write `arr` as a gzipped idx file, whole or not at all (a shipped asset is never left half written)."
    header = bytes([0, 0, 0x08, arr.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in arr.shape)
    part = path.with_name(path.name + ".part")
    with open(part, "wb") as raw, gzip.GzipFile(path.name, "wb", fileobj=raw, mtime=0) as f:   # the header names path
        f.write(header + arr.astype(np.uint8).tobytes())
    part.replace(path)

missing = [f"{p}-{k}-idx{d}-ubyte.gz" for p in SPLITS for k, d in (("images", 3), ("labels", 1))
           if not (SRC / f"{p}-{k}-idx{d}-ubyte.gz").is_file()]
if missing:
    sys.exit(f"make_demo_data.py: error: {SRC} lacks {', '.join(missing)}: install Debian's dataset-fashion-mnist, or "
             "pass the folder that holds Fashion-MNIST's idx files")
DST.mkdir(parents=True, exist_ok=True)
for prefix, (name, per_class) in SPLITS.items():
    _, images = read_idx(SRC / f"{prefix}-images-idx3-ubyte.gz")
    _, labels = read_idx(SRC / f"{prefix}-labels-idx1-ubyte.gz")
    keep = np.sort(np.concatenate([np.flatnonzero(labels == c)[:per_class] for c in range(10)]))
    write_idx(DST / f"{name}-images-idx3-ubyte.gz", images[keep])
    write_idx(DST / f"{name}-labels-idx1-ubyte.gz", labels[keep])
    print(name, len(keep), np.bincount(labels[keep]).tolist())
for f in sorted(DST.glob("*.gz")):
    print(f.name, f.stat().st_size, hashlib.sha256(f.read_bytes()).hexdigest()[:16])
