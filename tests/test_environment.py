"""The pins in environment.yml and constraints.txt must agree, and cover the library's requirements."""
import re
from configparser import ConfigParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def norm(name): return re.sub(r"[-_.]+", "-", name).lower()


def parse_pins(lines):
    pins = {}
    for line in lines:
        line = line.split("#")[0].strip().lstrip("- ").strip()
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if m: pins[norm(m[1])] = m[2]
    return pins


def env_pip_lines(text):
    "The entries of environment.yml's `pip:` section."
    lines, inside = [], False
    for line in text.splitlines():
        if re.match(r"\s*- pip:\s*$", line): inside = True; continue
        if inside:
            if re.match(r"\s{6,}- ", line): lines.append(line.strip())
            elif line.strip(): break
    return lines


def test_environment_agrees_with_constraints():
    lock = parse_pins((ROOT / "constraints.txt").read_text().splitlines())
    env = parse_pins(env_pip_lines((ROOT / "environment.yml").read_text()))
    assert len(env) >= 10, "environment.yml pip section not parsed"
    drift = {k: (v, lock.get(k)) for k, v in env.items() if lock.get(k) != v}
    assert not drift, f"environment.yml vs constraints.txt differ (env, lock): {drift}"


def test_requirements_are_pinned_everywhere():
    cfg = ConfigParser(delimiters=["="]); cfg.read(ROOT / "settings.ini")
    reqs = cfg["DEFAULT"]["requirements"].split() + cfg["DEFAULT"]["dev_requirements"].split()
    names = {norm(re.split(r"[<>=!~,\[]", r)[0]) for r in reqs}
    lock = parse_pins((ROOT / "constraints.txt").read_text().splitlines())
    env = parse_pins(env_pip_lines((ROOT / "environment.yml").read_text()))
    assert not names - lock.keys(), f"not pinned in constraints.txt: {names - lock.keys()}"
    assert not names - env.keys(), f"not pinned in environment.yml: {names - env.keys()}"
    assert lock["torch"] == "2.14.1" and lock["torchvision"] == "0.29.1"


def test_env_parser_rejects_drift(tmp_path):
    "The check itself can fail: a changed version is seen."
    text = (ROOT / "environment.yml").read_text().replace("timm==", "timm==0.0.0.dev0+")
    env = parse_pins(env_pip_lines(text))
    lock = parse_pins((ROOT / "constraints.txt").read_text().splitlines())
    assert env["timm"] != lock["timm"]
