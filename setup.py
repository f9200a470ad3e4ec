"""Package metadata, read from settings.ini (nbdev 2 convention)."""
from configparser import ConfigParser
import setuptools

cfg = ConfigParser(delimiters=["="])
cfg.read("settings.ini", encoding="utf-8")
cfg = cfg["DEFAULT"]

setuptools.setup(
    name=cfg["lib_name"],
    version=cfg["version"],
    description=cfg["description"],
    author=cfg["author"],
    license="Apache-2.0",
    packages=setuptools.find_packages(include=["ci2p", "ci2p.*"]),
    include_package_data=True,
    # what the library reads at run time (ci2p.paths.asset_path): the shipped codecs and their model cards, the rate-study
    # encoders, the demo dataset and the photographs' manifest
    package_data={"ci2p": ["assets/*.safetensors", "assets/*.md", "assets/*.json", "assets/codecs/*", "assets/demo/*"]},
    python_requires=">=" + cfg["min_python"],
    install_requires=cfg["requirements"].split(),
    extras_require={"dev": cfg["dev_requirements"].split()},
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    zip_safe=False,
)
