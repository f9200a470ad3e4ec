"""The README's code for your own timm ViT runs as printed: every statement of the block, except the two that need a
download (CompressAI's official weights) or a trained run (its loading by timm is tested in 13_validate)."""
import ast
import re
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]


def test_own_timm_vit_block_runs_as_printed():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"## Using CI2P in your own timm ViT\n\n```python\n(.*?)```", readme, re.S)
    assert block, "README.md: the python block under '## Using CI2P in your own timm ViT' is gone"
    source = block.group(1)
    kept = [s for s in ast.parse(source).body if not re.search(r'"official"|pretrained=True', ast.get_source_segment(source, s))]
    assert len(ast.parse(source).body) - len(kept) == 2, "the block's statements that need a download or a run changed"
    ns = {}
    exec(compile(ast.Module(kept, []), "README.md", "exec"), ns)
    import ci2p
    vit, model = ns["vit"], ns["model"]
    shipped = ci2p.encoder.build_encoder(ci2p.encoder.DEFAULT_ENCODER_WEIGHTS).g_a.state_dict()
    got = vit.patch_embed.stem.encoder.g_a.state_dict()
    assert shipped.keys() == got.keys() and all(torch.equal(shipped[k], got[k]) for k in shipped)   # the codec it names
    with torch.no_grad():
        assert vit.eval()(torch.zeros(1, 3, 256, 256)).shape == (1, 1000)
        assert model.eval()(torch.zeros(1, 3, 256, 256)).shape == (1, 10)
    assert vit.patch_embed.num_patches == model.patch_embed.num_patches == 64   # 256 px: 4x fewer tokens than ViT-B/16
