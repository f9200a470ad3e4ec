"""Gather the freely licensed photographs the project's codec is trained and evaluated on.

    python scripts/gather_photos.py            # -> data/photos/images/ (ignored by git), checked against the manifest
    python scripts/gather_photos.py --write-manifest   # (re)write data/photos/manifest.json from what was gathered

Sources: photographs inside Debian's `plasma-workspace-wallpapers` package (fetched with `apt-get download`, unpacked
with `dpkg-deb -x`, nothing is installed) and inside the scikit-image and scikit-learn wheels (installed by `make env`).
The other wallpaper packages (gnome-backgrounds, ukui-wallpapers, lomiri-wallpapers, sway-backgrounds) hold drawings,
renders and gradients only, so none of their files is used. Each file's source, licence, author and sha256 go in
the manifest, with a fixed split: `train` (codec pretraining) or `eval` (held out, never seen in training).
"""
from __future__ import annotations
import argparse, hashlib, json, shutil, subprocess, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "photos"
PLASMA = "plasma-workspace-wallpapers"
# (name, split): Plasma wallpapers that are photographs (the drawings, renders and gradients are left out)
PLASMA_PHOTOS = [("BytheWater", "train"), ("ColdRipple", "train"), ("DarkestHour", "train"), ("Grey", "train"),
                 ("OneStandsOut", "train"), ("Volna", "train"),
                 ("ColorfulCups", "eval"), ("EveningGlow", "eval"), ("FallenLeaf", "eval"), ("Kite", "eval"),
                 ("Path", "eval"), ("summer_1am", "eval")]
# (file, split, licence, author/source) as stated in scikit-image's `skimage.data` docstrings / scikit-learn's README
SKIMAGE_PHOTOS = [
    ("camera.png", "train", "CC0-1.0", "Lav Varshney"),
    ("brick.png", "train", "CC0-1.0", "CC0Textures"),
    ("grass.png", "train", "CC0-1.0", "CC0Textures"),
    ("gravel.png", "train", "CC0-1.0", "CC0Textures"),
    ("coins.png", "train", "no known copyright restrictions", "Brooklyn Museum"),
    ("ihc.png", "train", "no known copyright restrictions", "Center for Microscopy And Molecular Imaging"),
    ("hubble_deep_field.jpg", "train", "public domain", "NASA"),
    ("retina.jpg", "train", "CC0-1.0", "Wikimedia Commons (WikiJournal of Medicine)"),
    ("astronaut.png", "eval", "public domain", "NASA"),
    ("rocket.jpg", "eval", "public domain", "SpaceX"),
    ("chelsea.png", "eval", "CC0-1.0", "Stefan van der Walt"),
    ("coffee.png", "eval", "CC0-1.0", "Rachel Michetti"),
]
SKLEARN_PHOTOS = [("china.jpg", "eval", "CC-BY-2.0", "danielbuechele (Flickr)"),
                  ("flower.jpg", "eval", "CC-BY-2.0", "danielbuechele (Flickr)")]


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""): h.update(block)
    return h.hexdigest()


def plasma_files(work: Path) -> list[dict]:
    "Download and unpack the Plasma wallpaper package into `work`; the largest image of each chosen wallpaper."
    work.mkdir(parents=True, exist_ok=True)
    debs = sorted(work.glob(f"{PLASMA}_*.deb"))
    if not debs:
        r = subprocess.run(["apt-get", "download", PLASMA], cwd=work, capture_output=True, text=True)
        if r.returncode:
            sys.exit(f"gather_photos: `apt-get download {PLASMA}` failed (run `apt-get update` first?):\n{r.stderr.strip()}")
        debs = sorted(work.glob(f"{PLASMA}_*.deb"))
    deb = debs[-1]
    version = subprocess.run(["dpkg-deb", "-f", str(deb), "Version"], capture_output=True, text=True, check=True).stdout.strip()
    unpacked = work / "unpacked"
    if not unpacked.is_dir():
        tmp = Path(tempfile.mkdtemp(dir=work)); subprocess.run(["dpkg-deb", "-x", str(deb), str(tmp)], check=True); tmp.rename(unpacked)
    rows = []
    for name, split in PLASMA_PHOTOS:
        d = unpacked / "usr/share/wallpapers" / name
        meta = json.loads((d / "metadata.json").read_text())["KPlugin"]
        imgs = sorted((d / "contents/images").glob("*.*"), key=lambda p: p.stat().st_size)
        src = imgs[-1]  # the largest rendition of the photograph
        rows.append({"file": f"{name}{src.suffix.lower()}", "split": split, "source": f"debian:{PLASMA}={version}",
                     "path_in_source": str(src.relative_to(unpacked)), "licence": meta.get("License"),
                     "author": ", ".join(a.get("Name", "") for a in meta.get("Authors", [])), "src": src})
    return rows


def wheel_files() -> list[dict]:
    import skimage, sklearn
    from importlib.metadata import version
    rows = []
    for pkg, base, table in (("scikit-image", Path(skimage.__file__).parent / "data", SKIMAGE_PHOTOS),
                             ("scikit-learn", Path(sklearn.__file__).parent / "datasets" / "images", SKLEARN_PHOTOS)):
        for f, split, lic, author in table:
            src = base / f
            if not src.is_file(): sys.exit(f"gather_photos: {src} is missing from the installed {pkg}")
            rows.append({"file": f, "split": split, "source": f"pypi:{pkg}={version(pkg)}",
                         "path_in_source": str(src.relative_to(base.parents[1])), "licence": lic, "author": author, "src": src})
    return rows


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default=str(OUT), help="folder for manifest.json and images/ (default: data/photos)")
    p.add_argument("--write-manifest", action="store_true", help="write manifest.json instead of checking against it")
    args = p.parse_args(argv)
    out = Path(args.out); images = out / "images"; images.mkdir(parents=True, exist_ok=True)
    rows = plasma_files(out / ".debs") + wheel_files()
    from PIL import Image
    for r in rows:
        dst = images / r["file"]
        shutil.copyfile(r.pop("src"), dst)
        r["sha256"] = sha256(dst)
        with Image.open(dst) as im: r["width"], r["height"], r["mode"] = im.width, im.height, im.mode
    manifest = out / "manifest.json"
    if args.write_manifest:
        manifest.write_text(json.dumps({"photos": rows}, indent=1) + "\n")
        print(f"wrote {manifest}: {sum(r['split'] == 'train' for r in rows)} train, {sum(r['split'] == 'eval' for r in rows)} eval")
        return
    if not manifest.is_file(): sys.exit(f"gather_photos: {manifest} is missing (use --write-manifest to create it)")
    want = {r["file"]: r for r in json.loads(manifest.read_text())["photos"]}
    bad = [r["file"] for r in rows if want.get(r["file"], {}).get("sha256") != r["sha256"]]
    if bad or len(want) != len(rows):
        sys.exit(f"gather_photos: gathered files differ from {manifest}: {bad or 'a different set of files'}; "
                 f"the package versions may have changed (see the manifest's `source` fields)")
    print(f"{len(rows)} photographs in {images}, all matching {manifest}")


if __name__ == "__main__":
    main()
