"""Golden files for the NT-v2 import: the publisher's own code, run in a throwaway virtualenv. Not run by CI.

Writes utr_assets_tests/golden/nt_v2/ (committed; read by utr_assets_tests/unit/test_golden_nt_v2.py):
- a reduced NT-v2 (2 layers, hidden 64, 4 heads, SwiGLU 2 x 128, rotary; every other setting of the
  published config_v2-100m.json kept) built by InstaDeep's modeling_esm.py / esm_config.py from
  ../shared/fixtures/real/study_models/nt_v2 with torch.manual_seed(0), saved as the publisher saves it:
  config.json (with its auto_map), pytorch_model.bin (pickle), vocab.txt, tokenizer_config.json,
  special_tokens_map.json;
- golden_reference.npz: the 8 input sequences, the publisher tokenizer's ids and attention mask (one
  padded batch), the logits and last hidden states (float32) at every real token;
- golden_publisher_parameters.json: the parameter counts of the publisher's EsmForMaskedLM built from
  each config_v2-*.json (meta device; the reference for the nt paper preset).
Sequences: real human 3'UTR windows of uneven lengths (IL17RA, kipoiseq fixture; uc002zlh.1, the one 3'UTR of the
phast_chr22 slice whose stop codon lies inside it, extracted with utr_assets.reference), two of them with N inserted.

Usage, from the project root with the project's interpreter (it re-runs itself inside the venv):
    .venv/bin/python scripts/golden/make_golden_nt_v2.py [--venv /tmp/golden-venv]
The venv gets transformers==4.32.1 (the code's target: config says 4.32.0.dev0; modeling_esm.py imports
find_pruneable_heads_and_indices, gone in transformers 5) and torch==2.13.0. To avoid downloading a
CUDA torch wheel, the venv reads torch from the project venv through a .pth file appended after its own
site-packages (its transformers / tokenizers / huggingface_hub shadow the project's).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT.parent / "shared" / "fixtures" / "real"
NT = FIXTURES / "study_models" / "nt_v2"
OUT = ROOT / "utr_assets_tests" / "golden" / "nt_v2"
PHAST_OFFSET = -14_499_999
REDUCED = dict(
    num_hidden_layers=2,
    hidden_size=64,
    num_attention_heads=4,
    intermediate_size=128,
    max_position_embeddings=128,
)
TRANSFORMERS = "transformers==4.32.1"
TORCH = "torch==2.13.0"


def golden_sequences() -> list[str]:
    """Project venv: real 3'UTR windows (uneven lengths, some with N)."""
    sys.path.insert(0, str(ROOT))
    from utr_assets.reference.annotation import read_annotation
    from utr_assets.reference.fasta import Genome
    from utr_assets.reference.utr3 import Utr3Selection, select_utr3_regions

    il17ra = (FIXTURES / "kipoiseq" / "chr22_ENST00000319363_3UTR.ref_seq.txt").read_text().strip().upper()
    with tempfile.TemporaryDirectory() as tmp:  # pysam writes a .fai beside the FASTA
        fa = Path(tmp) / "slice.fa"
        shutil.copy(FIXTURES / "phast_chr22" / "chr22.14500000-15500000.fa", fa)
        txs = read_annotation(
            FIXTURES / "phast_chr22" / "chr22.14500000-15500000.gp", coordinate_offset=PHAST_OFFSET
        )
        # the slice's annotation has transcripts whose stop codon lies outside it: keep the valid ones
        selection = Utr3Selection("all", spliced_utrs=True, max_invalid_stop_fraction=1.0)
        table, _ = select_utr3_regions(txs, Genome(fa), selection, "gp")
    utrs = table.drop_duplicates("sequence").sort_values("utr_id").sequence.tolist()
    if not utrs or len(utrs[0]) < 300:
        raise SystemExit(f"expected a 3'UTR of >= 300 nt in the phast slice, got {[len(u) for u in utrs]}")

    def with_n(seq: str, *positions: int) -> str:
        chars = list(seq)
        for p in positions:
            chars[p] = "N"
        return "".join(chars)

    return [
        il17ra[:83],
        il17ra[1000:1047],
        utrs[0][:66],
        utrs[0][150:208],
        utrs[0][250:290],
        with_n(il17ra[2000:2031], 10),
        with_n(utrs[0][100:125], 3, 17, 18),
        il17ra[-12:],
    ]


def reference(out: Path, sequences: list[str]) -> None:
    """Publisher venv: build, save and run the publisher's NT-v2."""
    import numpy as np
    import torch
    import transformers
    from transformers import AutoTokenizer

    pkg = Path(tempfile.mkdtemp()) / "nt_v2_publisher"
    pkg.mkdir()
    for name in ("esm_config.py", "modeling_esm.py"):
        shutil.copy(NT / name, pkg / name)
    (pkg / "__init__.py").write_text("")
    sys.path.insert(0, str(pkg.parent))
    from nt_v2_publisher.esm_config import EsmConfig
    from nt_v2_publisher.modeling_esm import EsmForMaskedLM

    counts = {}
    for file in sorted(NT.glob("config_v2-*.json")):
        with torch.device("meta"):
            model = EsmForMaskedLM(EsmConfig(**json.loads(file.read_text())))
        counts[file.name] = sum(p.numel() for p in model.parameters())
    published = json.loads((NT / "config_v2-100m.json").read_text())
    config = EsmConfig(**{**published, **REDUCED})
    torch.manual_seed(0)
    model = EsmForMaskedLM(config).eval()
    for p in model.parameters():  # LayerNorms / biases start at 1 / 0: randomise so every weight matters
        p.data.add_(0.05 * torch.randn_like(p))
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out, safe_serialization=False)
    config_json = json.loads((out / "config.json").read_text())
    config_json["auto_map"] = published["auto_map"]
    (out / "config.json").write_text(json.dumps(config_json, indent=2, sort_keys=True) + "\n")
    tokenizer = AutoTokenizer.from_pretrained(str(NT))
    tokenizer.save_pretrained(out)
    (out / "added_tokens.json").unlink(missing_ok=True)
    # save_pretrained drops the published "eos_token": null, and EsmTokenizer's default eos is <eos>: keep
    # the published keys, so the directory tokenises as the published checkpoint (<cls> only)
    saved = json.loads((out / "tokenizer_config.json").read_text())
    saved.update(json.loads((NT / "tokenizer_config.json").read_text()))
    (out / "tokenizer_config.json").write_text(json.dumps(saved, indent=2, sort_keys=True) + "\n")
    reloaded = AutoTokenizer.from_pretrained(str(out))
    if reloaded(sequences)["input_ids"] != tokenizer(sequences)["input_ids"]:
        raise SystemExit("the saved tokenizer files do not tokenise as the published ones")
    batch = tokenizer(sequences, padding=True, return_tensors="pt")
    with torch.no_grad():
        result = model(**batch, output_hidden_states=True)
    real = batch["attention_mask"].bool().numpy()
    np.savez_compressed(
        out / "golden_reference.npz",
        sequences=np.array(sequences),
        input_ids=batch["input_ids"].numpy(),
        attention_mask=batch["attention_mask"].numpy(),
        logits=result.logits.numpy()[real],
        last_hidden=result.hidden_states[-1].numpy()[real],
    )
    (out / "golden_publisher_parameters.json").write_text(
        json.dumps(
            {
                "transformers": transformers.__version__,
                "torch": torch.__version__,
                "seed": 0,
                "reduced": REDUCED,
                "reduced_parameters": sum(p.numel() for p in model.parameters()),
                "parameters": counts,
            },
            indent=1,
        )
        + "\n"
    )
    print(json.dumps(counts, indent=1))


def ensure_venv(venv: Path) -> Path:
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        site = next((venv / "lib").glob("python3*/site-packages"))
        project_site = next((ROOT / ".venv" / "lib").glob("python3*/site-packages"))
        (site / "zz_torch_from_project_venv.pth").write_text(f"{project_site}\n")
        subprocess.run([str(python), "-m", "pip", "install", "-q", TORCH, TRANSFORMERS], check=True)
    return python


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, default=Path("/tmp/golden-venv"))
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--reference", type=Path, default=None, help=argparse.SUPPRESS)  # inside the venv
    args = parser.parse_args()
    if args.reference is not None:
        reference(args.out, json.loads(args.reference.read_text()))
        return
    with tempfile.TemporaryDirectory() as tmp:
        seqs = Path(tmp) / "sequences.json"
        seqs.write_text(json.dumps(golden_sequences()))
        staging = Path(tmp) / "out"
        subprocess.run(
            [str(ensure_venv(args.venv)), __file__, "--reference", str(seqs), "--out", str(staging)],
            check=True,
            cwd=tmp,
        )
        if args.out.exists():
            shutil.rmtree(args.out)
        shutil.copytree(staging, args.out)
    print(
        f"wrote {args.out}: "
        + ", ".join(f"{p.name} {p.stat().st_size:,} B" for p in sorted(args.out.iterdir()))
    )


if __name__ == "__main__":
    main()
