"""A store built by an earlier ci2p reads, after the store became a package, to the same latents, bit for bit.

The fixtures under tests/fixtures/store-6a45e38/ were built by ci2p at commit 6a45e38 (the last commit with the
single-module store), with the command recorded in expected.json; expected.json holds the sha256 of every latent that
commit's `LatentStore` read from them. This test reads them with today's code and compares: it catches any change in
how a format decodes, in the medians' addition, in the view order or in the labels.
"""
import hashlib
import json
from pathlib import Path

import pytest
import torch

from ci2p.store import LatentStore, read_manifest, verify_store

FIXTURES = Path(__file__).parent / "fixtures" / "store-6a45e38"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text())["latents_sha256"]


def sha(t: torch.Tensor) -> str:
    return hashlib.sha256(t.contiguous().numpy().tobytes()).hexdigest()


@pytest.mark.parametrize("fmt", sorted(EXPECTED))
def test_old_store_reads_bit_for_bit(fmt):
    root = FIXTURES / fmt
    assert verify_store(root) == []
    tr, va = LatentStore(root, "train"), LatentStore(root, "val")
    views = [(i, v) for i in range(len(tr)) for v in range(tr.views)]
    assert sha(torch.stack([tr.latent(i, v) for i, v in views])) == EXPECTED[fmt]["train"]
    assert sha(torch.stack([x for x, _ in tr.__getitems__(views)])) == EXPECTED[fmt]["train"]   # the batched path too
    assert sha(torch.stack([va.latent(i) for i in range(len(va))])) == EXPECTED[fmt]["val"]
    assert tr.targets == EXPECTED[fmt]["targets"]
    # the typed manifest reads the old file back to exactly what it holds
    assert read_manifest(root).to_dict() == json.loads((root / "manifest.json").read_text())
