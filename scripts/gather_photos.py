"""Gather the freely licensed photographs the project's codec is trained and evaluated on.

    python scripts/gather_photos.py            # -> $CI2P_CACHE/photos (default ~/.cache/ci2p/photos), checked against the manifest
    python scripts/gather_photos.py --write-manifest   # (re)write ci2p/assets/photos.json from what was gathered

The photographs' licences keep them out of the package: they live in the cache folder, where `--data photos` finds
them; the manifest ships with the package (`ci2p/assets/photos.json`).

Sources: photographs inside Debian packages (fetched with `apt-get download`, unpacked with `dpkg-deb -x`, nothing is
installed) and inside the scikit-image, scikit-learn and matplotlib wheels (installed by `make env`). Each file's
source, licence, author and sha256 go in the manifest, with a fixed split: `train` (codec pretraining) or `eval`
(held out, never seen in training). A source package none of whose files is in `train` is *held out by source*
(`ci2p.codec.photo_files("source")`): a codec is judged on photographs from a family it has never seen.

`CHECKED` below lists every source looked at, what was kept and why the rest was left out.
"""
from __future__ import annotations
import argparse, hashlib, json, shutil, subprocess, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "ci2p" / "assets" / "photos.json"
PLASMA, JIGZO, MATE, PALAPELI = "plasma-workspace-wallpapers", "jigzo-data", "mate-backgrounds", "palapeli-data"
# every source looked at for freely licensed colour photographs reachable here, and the verdict
CHECKED = {
    "debian:plasma-workspace-wallpapers": "kept: 12 photographs (6 train, 6 eval); its drawings and renders left out",
    "debian:jigzo-data": "kept for train: 10 colour photographs (the puzzle images, cut from each .pzl's texture atlas); "
                         "left out: penguin-3x2 (CC-BY-NC-SA: non-commercial), gorilla2-3x3 (its atlas has no clean edge to cut at)",
    "debian:mate-backgrounds": "kept for eval only, held out by source: the 12 photographs of nature/ (GPL-2+); "
                               "abstract/ and desktop/ are renders. A desktop wallpaper package not used before: evaluation material",
    "pypi:scikit-image": "kept: 12 files (8 train incl. 6 greyscale, 4 eval); left out: drawings and synthetic images "
                         "(color, logo, horse, phantom, chessboard, text, page), moon/cell/clock_motion (greyscale, small), "
                         "motorcycle_* (Middlebury stereo pair, licence not stated), lfw_subset (faces, 25 px)",
    "pypi:scikit-learn": "kept for eval only, held out by source: china, flower (CC-BY-2.0)",
    "pypi:matplotlib": "kept for train: grace_hopper.jpg (US Navy photograph, public domain); the rest of "
                       "sample_data is plots, logos and an MRI volume",
    "debian:palapeli-data": "kept for train: the 5 photographs of its puzzle collection (public domain and GFDL, "
                            "as each .desktop file states); left out: backgrounds/ (synthetic textures)",
    "debian:hugin-data, gbrainy": "left out: hugin's are manual screenshots and a few small crops, gbrainy has no photographs",
    "debian:gcompris-qt-data": "left out: photographs are packed in Qt .rcc resource archives (no standard reader here)",
    "debian:gnome-backgrounds, ukui-wallpapers, lomiri-wallpapers, sway-backgrounds": "left out: drawings, renders and gradients",
    "debian:stellarium-data, tuxpaint-stamps-default": "not used: 250 MB / 160 MB downloads for a few cut-out photographs",
}
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
JIGZO_PHOTOS = [("bike-3x4", "GPL-2+"), ("bird-2x3", "GPL-2+"), ("blackberry-3x3", "GPL-2+"), ("castle-6x3", "GPL-2+"),
                ("clouds-4x4", "GPL-2+"), ("heli-4x3", "GPL-2"), ("horse-4x3", "GPL-2+"),
                ("tobogan-4x3", "GPL-2+"), ("train-2x2", "GPL-2+"), ("windmill-4x4", "GPL-2+")]
MATE_PHOTOS = ["Aqua", "Blinds", "Dune", "FreshFlower", "Garden", "GreenMeadow", "LadyBird", "RainDrops", "Storm",
               "TwoWings", "Wood", "YellowFlower"]
# palapeli's collection: (name, licence, author) as each puzzle's .desktop file states
PALAPELI_PHOTOS = [("castle-maintenon", "GFDL", "Eric Pouhier"), ("cincinnati-bridge", "public domain", "Derek Jensen"),
                   ("citrus-fruits", "public domain", "US Department of Agriculture"),
                   ("european-honey-bee", "public domain", "John Severns"),
                   ("panther-chameleon-female", "GFDL", "B. Navez and others")]
MPL_PHOTOS = [("grace_hopper.jpg", "train", "public domain", "US Navy (via matplotlib sample_data)")]
SKLEARN_PHOTOS = [("china.jpg", "eval", "CC-BY-2.0", "danielbuechele (Flickr)"),
                  ("flower.jpg", "eval", "CC-BY-2.0", "danielbuechele (Flickr)")]


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""): h.update(block)
    return h.hexdigest()


def unpack_deb(work: Path, package: str) -> tuple[Path, str]:
    "Download (once) and unpack (once) a Debian package into `work`; (unpacked root, version)."
    work.mkdir(parents=True, exist_ok=True)
    debs = sorted(work.glob(f"{package}_*.deb"))
    if not debs:
        r = subprocess.run(["apt-get", "download", package], cwd=work, capture_output=True, text=True)
        if r.returncode:
            sys.exit(f"gather_photos: `apt-get download {package}` failed (run `apt-get update` first?):\n{r.stderr.strip()}")
        debs = sorted(work.glob(f"{package}_*.deb"))
    deb = debs[-1]
    version = subprocess.run(["dpkg-deb", "-f", str(deb), "Version"], capture_output=True, text=True, check=True).stdout.strip()
    unpacked = work / f"unpacked-{package}"
    if not unpacked.is_dir():
        tmp = Path(tempfile.mkdtemp(dir=work)); subprocess.run(["dpkg-deb", "-x", str(deb), str(tmp)], check=True); tmp.rename(unpacked)
    return unpacked, version


def plasma_files(work: Path) -> list[dict]:
    "The largest image of each chosen Plasma wallpaper."
    unpacked, version = unpack_deb(work, PLASMA)
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


def mate_files(work: Path) -> list[dict]:
    "The photographs of MATE's nature/ backgrounds: evaluation only (held out by source)."
    unpacked, version = unpack_deb(work, MATE)
    base = unpacked / "usr/share/backgrounds/mate/nature"
    return [{"file": f"{name}.jpg", "split": "eval", "source": f"debian:{MATE}={version}",
             "path_in_source": str((base / f"{name}.jpg").relative_to(unpacked)), "licence": "GPL-2+",
             "author": "see the package's copyright file", "src": base / f"{name}.jpg"} for name in MATE_PHOTOS]


def palapeli_files(work: Path) -> list[dict]:
    "The photographs of palapeli's puzzle collection: training material from a game, like jigzo's."
    unpacked, version = unpack_deb(work, PALAPELI)
    base = unpacked / "usr/share/palapeli/collection"
    return [{"file": f"palapeli-{name}.jpg", "split": "train", "source": f"debian:{PALAPELI}={version}",
             "path_in_source": str((base / f"{name}.jpg").relative_to(unpacked)), "licence": lic, "author": author,
             "src": base / f"{name}.jpg"} for name, lic, author in PALAPELI_PHOTOS]


def jigzo_photo(pzl: Path):
    """The photograph of a jigzo puzzle file: each .pzl holds a thumbnail and a 1024x1024 texture atlas whose top-left
    corner is the whole photograph (the pieces follow on black). The photograph's height and width are where the first
    run of black begins, taken down and across several lines (median), trimmed to the thumbnail's aspect ratio."""
    import io, re
    import numpy as np
    from PIL import Image
    data = pzl.read_bytes(); found = []
    for m in re.finditer(rb"\xff\xd8\xff", data):
        try:
            im = Image.open(io.BytesIO(data[m.start():])); im.load(); found.append(im.convert("RGB"))
        except OSError: pass
    thumb = min(found, key=lambda im: im.width * im.height); atlas = max(found, key=lambda im: im.width * im.height)
    dark = np.asarray(atlas).max(-1) < 12
    def first_run(line, n=6):
        runs = np.convolve(line.astype(int), np.ones(n, int), "valid") == n
        return int(np.argmax(runs)) if runs.any() else len(line)
    h = int(np.median([first_run(dark[:, x]) for x in range(5, 60, 5)]))
    w = int(np.median([first_run(dark[y, :]) for y in range(5, 60, 5)]))
    aspect = thumb.width / thumb.height
    # shrink the side that is too long for the thumbnail's aspect: what is kept is surely photograph
    w, h = (round(h * aspect), h) if w / h > aspect else (w, round(w / aspect))
    return atlas.crop((0, 0, w, h))


def jigzo_files(work: Path) -> list[dict]:
    "jigzo's puzzle photographs, cut out of their .pzl files (written as lossless PNG, so nothing is re-compressed)."
    unpacked, version = unpack_deb(work, JIGZO)
    base = unpacked / "usr/share/games/jigzo/puzzles/00_default"
    rows = []
    for name, lic in JIGZO_PHOTOS:
        rows.append({"file": f"jigzo-{name}.png", "split": "train", "source": f"debian:{JIGZO}={version}",
                     "path_in_source": str((base / f"{name}.pzl").relative_to(unpacked)), "licence": lic,
                     "author": "Maarten de Boer (resorama.com)" if lic == "GPL-2+" else "Joana Clotet",
                     "image": jigzo_photo(base / f"{name}.pzl")})
    return rows


def wheel_files() -> list[dict]:
    import matplotlib, skimage, sklearn
    from importlib.metadata import version
    rows = []
    for pkg, base, table in (("scikit-image", Path(skimage.__file__).parent / "data", SKIMAGE_PHOTOS),
                             ("scikit-learn", Path(sklearn.__file__).parent / "datasets" / "images", SKLEARN_PHOTOS),
                             ("matplotlib", Path(matplotlib.__file__).parent / "mpl-data" / "sample_data", MPL_PHOTOS)):
        for f, split, lic, author in table:
            src = base / f
            if not src.is_file(): sys.exit(f"gather_photos: {src} is missing from the installed {pkg}")
            rows.append({"file": f, "split": split, "source": f"pypi:{pkg}={version(pkg)}",
                         "path_in_source": str(src.relative_to(base.parents[1])), "licence": lic, "author": author, "src": src})
    return rows


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default=None, help="folder for the photographs (default: $CI2P_CACHE/photos, where --data photos looks)")
    p.add_argument("--manifest", default=str(MANIFEST), help="the manifest (default: ci2p/assets/photos.json)")
    p.add_argument("--write-manifest", action="store_true", help="write the manifest instead of checking against it")
    args = p.parse_args(argv)
    from ci2p.files import atomic_write   # a gathering cut off leaves no half-written photograph or manifest
    from ci2p.paths import cache_dir
    images = Path(args.out) if args.out else cache_dir("photos"); images.mkdir(parents=True, exist_ok=True)
    debs = cache_dir("debs")
    rows = plasma_files(debs) + wheel_files() + jigzo_files(debs) + palapeli_files(debs) + mate_files(debs)
    from PIL import Image
    for r in rows:
        dst = images / r["file"]
        with atomic_write(dst, "wb") as f:
            if "image" in r: r.pop("image").save(f, format="PNG", optimize=False)
            else:
                with open(r.pop("src"), "rb") as src: shutil.copyfileobj(src, f)
        r["sha256"] = sha256(dst)
        with Image.open(dst) as im: r["width"], r["height"], r["mode"] = im.width, im.height, im.mode
    manifest = Path(args.manifest)
    if args.write_manifest:
        with atomic_write(manifest, "w", encoding="utf-8") as f:
            f.write(json.dumps({"checked": CHECKED, "photos": rows}, indent=1) + "\n")
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
