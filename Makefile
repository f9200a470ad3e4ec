# ci2p: the two commands of the README (`make demo`, `make test`) plus helpers.
# Everything runs from a project-local virtual environment (.venv) built from constraints.txt;
# it is (re)installed only when constraints.txt, settings.ini or setup.py change.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.ci2p-installed
KERNEL := ci2p
# one BLAS thread per pytest worker: two workers use the two cores without oversubscription
TEST_WORKERS ?= 2
DEMO_OUT := results/demo

.PHONY: demo test lab export env clean-venv gpu-check render check-render

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python constraints.txt settings.ini setup.py
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (ci2p)" >/dev/null
	touch $(STAMP)

env: $(STAMP)  ## create/update .venv and the `ci2p` Jupyter kernel

demo: $(STAMP)  ## the paper's story in miniature on the embedded data (about 15 min on a 2-core CPU)
	mkdir -p $(DEMO_OUT)
	$(BIN)/papermill nbs/11_demo.ipynb $(DEMO_OUT)/11_demo.ipynb -k $(KERNEL) --log-output --progress-bar
	@cat $(DEMO_OUT)/summary.md

test: $(STAMP)  ## lint, library and notebooks in sync, prose in step with results/, library notebooks (nbdev), experiments (papermill)
	$(BIN)/ruff check ci2p tests scripts
	$(BIN)/ruff check nbs --select E501
	$(BIN)/python scripts/check_sync.py
	$(BIN)/python -m ci2p.prose check
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/python -m pytest -n $(TEST_WORKERS) tests

render: $(STAMP)  ## rewrite every number in the hand-written prose (README, docs/, model cards) from results/ and ci2p/assets/
	$(BIN)/python -m ci2p.prose render

check-render: $(STAMP)  ## fail, naming the file and its first differing line, where committed prose differs from what `make render` writes
	$(BIN)/python -m ci2p.prose check

gpu-check: $(STAMP)  ## on a CUDA machine: one bf16 step per model family, torch.compile, 1-GPU torchrun, throughput
	$(BIN)/python scripts/gpu_check.py

lab: $(STAMP)  ## JupyterLab with the ci2p kernel
	$(BIN)/jupyter lab --notebook-dir=nbs

export: $(STAMP)  ## regenerate ci2p/ from the notebooks and clean them
	$(BIN)/nbdev_export
	$(BIN)/nbdev_clean

clean-venv:
	rm -rf $(VENV)
