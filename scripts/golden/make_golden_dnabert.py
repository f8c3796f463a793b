"""Golden reference outputs of the publishers' DNABERT-2 and DNABERT-6 code at reduced size (issue 21).

Not run by CI, and not importable from the project: it runs in a throwaway virtualenv with the library
versions the publishers' code was written for, and writes the small files that the tests in
utr_assets_tests/unit/test_golden_dnabert.py compare our native classes against:

    python3 -m venv /tmp/golden-venv-dnabert
    /tmp/golden-venv-dnabert/bin/pip install torch==2.13.0 'transformers==4.29.2' einops 'numpy<2'
    /tmp/golden-venv-dnabert/bin/python scripts/golden/make_golden_dnabert.py \
        --fixtures ../shared/fixtures/real --out utr_assets_tests/golden

(transformers 4.29.2 is what DNABERT-2's code ran with; its config names 4.28.) triton is not installed,
so DNABERT-2's ``flash_attn_triton`` import fails and ``bert_layers`` falls back to its PyTorch attention,
the path that the fixture's ``bert_layers.py`` takes on CPU (the script asserts that it did).

What it builds, fixed seed 0, float32, CPU:
- ``dnabert2/``: the publisher's BertForMaskedLM (fixture files ``bert_layers.py``, ``bert_padding.py``,
  ``configuration_bert.py``, loaded as the package ``DNABERT2`` the study's copy imports from) from the
  fixture config.json with 2 layers, hidden 48, 12 heads (the published head count, whose ALiBi slopes
  take the not-a-power-of-two branch), GLU intermediate 96; the real BPE tokenizer.json. Weights are
  written as the hub checkpoint is: ``pytorch_model.bin`` (a torch.save'd state dict).
- ``dnabert6/``: stock ``BertForMaskedLM`` from the fixture bert-config-6 with 2 layers, hidden 48,
  4 heads, intermediate 96; the fixture vocab.txt through ``BertTokenizer`` (as the hub DNA_bert_6),
  ``pytorch_model.bin``.
- in each, ``reference.npz`` + ``reference.json``: the golden sequences (real human 3'UTRs: the IL17RA
  3'UTR of the kipoiseq fixture and 3'UTRs of the phast chr22 slice, some with N, uneven lengths), their
  ids as the publisher's tokenizer gives them, and, from one right-padded batch of all of them: the last
  hidden state and the logits at a fixed set of 64 vocabulary columns (specials included) plus the
  log-sum-exp over the whole vocabulary, at every real token (padded rows left out, to keep the files
  small). DNABERT-6 also stores per-base probabilities by the study's own procedure
  (``scripts/dna_bert_eval.py``: mask the 6 k-mers containing a base, sum the softmax over the 6-mers
  with each base at its offset), NaN where that script writes none. reference.json also records the
  parameter count of the full-size published DNABERT-2-117M built from the fixture config with the
  publisher's code.
"""

from __future__ import annotations

import argparse
import itertools
import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

SEED = 0
N_COLUMNS = 64
SMALL = dict(num_hidden_layers=2, hidden_size=48, intermediate_size=96)


def _revcomp(s: str) -> str:
    return s.translate(str.maketrans("ACGTN", "TGCAN"))[::-1]


def phast_utrs(fixtures: Path) -> list[tuple[str, str]]:
    """3'UTRs (RNA orientation) of the coding transcripts of the phast chr22 slice, spliced, uppercase."""
    fa = (fixtures / "phast_chr22" / "chr22.14500000-15500000.fa").read_text().splitlines()
    genome = "".join(line.strip() for line in fa if not line.startswith(">")).upper()
    offset = 14_499_999  # slice position 0 is chr22:14,499,999 (0-based); the .gp is absolute
    out = []
    for line in (fixtures / "phast_chr22" / "chr22.14500000-15500000.gp").read_text().splitlines():
        if line.startswith("#"):
            continue
        name, _, strand, _, _, cds_start, cds_end, _, starts, ends = line.split("\t")[:10]
        cds_start, cds_end = int(cds_start), int(cds_end)
        if cds_start == cds_end:
            continue
        blocks = [
            (int(a), int(b))
            for a, b in zip(starts.rstrip(",").split(","), ends.rstrip(",").split(","), strict=True)
        ]
        if strand == "+":
            parts = [(max(a, cds_end), b) for a, b in blocks if b > cds_end]
        else:
            parts = [(a, min(b, cds_start)) for a, b in blocks if a < cds_start]
        seq = "".join(genome[a - offset : b - offset] for a, b in parts)
        out.append((name, seq if strand == "+" else _revcomp(seq)))
    return out


def golden_sequences(fixtures: Path) -> list[tuple[str, str]]:
    il17ra = (fixtures / "kipoiseq" / "chr22_ENST00000319363_3UTR.ref_seq.txt").read_text().strip().upper()
    seen, utrs = set(), []  # uc002zli.1 (1,379 nt), uc002zlh.1 (347 nt), uc002zlp.1 (119 nt)
    for name, seq in sorted(phast_utrs(fixtures), key=lambda u: -len(u[1])):
        if len(seq) >= 100 and seq not in seen and "N" not in seq:
            seen.add(seq)
            utrs.append((name, seq))
    (n1, s1), (n2, s2), (n3, s3) = utrs[:3]
    with_n = s1[600:740] + "NNNNN" + s1[745:830]  # a masked stretch inside a real 3'UTR
    return [
        ("IL17RA_3UTR_head480", il17ra[:480]),
        ("IL17RA_3UTR_tail211", il17ra[-211:]),
        (f"{n1}_head333", s1[:333]),
        (f"{n2}_head257", s2[:257]),
        (f"{n1}_mid230_N", with_n),
        (n3, s3),
        ("IL17RA_3UTR_mid97_N", il17ra[1000:1040] + "N" + il17ra[1041:1097]),
        (f"{n2}_head12", s2[:12]),
    ]


def _batch(ids: list[list[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(x) for x in ids)
    input_ids = torch.full((len(ids), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(ids), width), dtype=torch.long)
    for i, x in enumerate(ids):
        input_ids[i, : len(x)] = torch.tensor(x)
        mask[i, : len(x)] = 1
    return input_ids, mask


def _columns(vocab_size: int) -> np.ndarray:
    rng = np.random.default_rng(SEED)
    rest = rng.choice(np.arange(5, vocab_size), N_COLUMNS - 5, replace=False)
    return np.sort(np.concatenate([np.arange(5), rest])).astype(np.int64)


def write_reference(
    out: Path,
    names: list[str],
    seqs: list[str],
    ids: list[list[int]],
    input_ids: torch.Tensor,
    mask: torch.Tensor,
    logits: torch.Tensor,
    hidden: torch.Tensor,
    meta: dict,
    **extra: np.ndarray,
) -> None:
    real = mask.bool()
    cols = _columns(logits.shape[-1])
    np.savez(
        out / "reference.npz",
        input_ids=input_ids.numpy().astype(np.int32),
        attention_mask=mask.numpy().astype(np.int8),
        logit_columns=cols,
        logits=logits[real][:, torch.from_numpy(cols)].numpy(),
        logsumexp=torch.logsumexp(logits[real].double(), dim=-1).numpy(),
        hidden=hidden[real].numpy(),
        **extra,
    )
    meta = {
        **meta,
        "names": names,
        "sequences": seqs,
        "ids": ids,
        "seed": SEED,
        "torch": torch.__version__,
        "transformers": __import__("transformers").__version__,
    }
    (out / "reference.json").write_text(json.dumps(meta, indent=1) + "\n")


def make_dnabert2(fixtures: Path, out: Path, seqs: list[tuple[str, str]]) -> None:
    src = fixtures / "study_models" / "dnabert2"
    pkg_root = Path(tempfile.mkdtemp())
    (pkg_root / "DNABERT2").mkdir()
    (pkg_root / "DNABERT2" / "__init__.py").write_text("")
    for name in ("bert_layers.py", "bert_padding.py", "configuration_bert.py", "flash_attn_triton.py"):
        shutil.copy(src / name, pkg_root / "DNABERT2" / name)
    sys.path.insert(0, str(pkg_root))
    from DNABERT2 import bert_layers
    from DNABERT2.configuration_bert import BertConfig
    from transformers import AutoTokenizer

    assert bert_layers.flash_attn_qkvpacked_func is None, "triton imported: not the PyTorch attention path"
    full = json.loads((src / "config.json").read_text())
    full_config = BertConfig(**{k: v for k, v in full.items() if k not in ("auto_map", "architectures")})
    paper_parameters = sum(p.numel() for p in bert_layers.BertForMaskedLM(full_config).parameters())
    torch.manual_seed(SEED)
    config = BertConfig(
        **{**{k: v for k, v in full.items() if k != "_name_or_path"}, **SMALL, "num_attention_heads": 12}
    )
    model = bert_layers.BertForMaskedLM(config).eval()
    tok = AutoTokenizer.from_pretrained(str(src))  # tokenizer_config.json names PreTrainedTokenizerFast
    names, texts = [n for n, _ in seqs], [s for _, s in seqs]
    ids = [tok(s)["input_ids"] for s in texts]
    input_ids, mask = _batch(ids, tok.pad_token_id)
    with torch.no_grad():
        res = model(input_ids, attention_mask=mask)
    out.mkdir(parents=True, exist_ok=True)
    config.save_pretrained(out)  # keeps auto_map, as the hub config
    torch.save(model.state_dict(), out / "pytorch_model.bin")
    tok.save_pretrained(out)
    write_reference(
        out,
        names,
        texts,
        ids,
        input_ids,
        mask,
        res.logits,
        res.hidden_states,
        {"paper_parameters": paper_parameters, "parameters": sum(p.numel() for p in model.parameters())},
    )
    print(
        f"dnabert2: {paper_parameters:,} parameters at full size; golden model "
        f"{sum(p.numel() for p in model.parameters()):,}"
    )


def study_base_probabilities(model, tok, seq: str) -> np.ndarray:
    """(L, 4) ACGT probabilities as scripts/dna_bert_eval.py computes them for one chunk (L <= 508)."""
    L = len(seq)
    out = np.full((L, 4), np.nan, dtype=np.float32)
    if L < 11:
        return out
    kmers = [seq[i : i + 6] for i in range(L - 5)]
    enc = torch.tensor([tok(" ".join(kmers))["input_ids"]])
    offset_ids = [{b: [] for b in "ACGT"} for _ in range(6)]
    for tpl in itertools.product("ACGT", repeat=6):
        token = tok.encode("".join(tpl))[1]
        for j, b in enumerate(tpl):
            offset_ids[j][b].append(token)

    def probs(pred: torch.Tensor, token: int, j: int) -> list[float]:
        return [float(pred[token, offset_ids[j][b]].sum()) for b in "ACGT"]

    with torch.no_grad():
        first = enc.clone()
        first[:, 1:7] = 4
        p0 = torch.softmax(model(first).logits, dim=2)[0]
        for i in range(5):
            out[i] = probs(p0, 1, i)
        eye = np.eye(enc.shape[1])
        masked = np.apply_along_axis(lambda m: np.convolve(m, [1] * 6, mode="same"), 1, eye).astype(bool)
        masked = torch.from_numpy(masked)[3 : L - 5 - 2]
        copies = enc.expand(masked.shape[0], -1).clone()
        copies[masked] = 4
        pred = torch.softmax(model(copies).logits, dim=2)
    for pos in range(5, L - 5):
        out[pos] = probs(pred[pos - 5], pos - 2, 3)
    for i in range(5):  # the last 6-mer (content token L-6) read at offsets 1..5 in the last middle copy
        out[L - 5 + i] = probs(pred[L - 11], L - 5, i + 1)
    return out


def make_dnabert6(fixtures: Path, out: Path, seqs: list[tuple[str, str]]) -> None:
    from transformers import BertConfig, BertForMaskedLM, BertTokenizer

    src = fixtures / "study_models" / "dnabert6"
    torch.manual_seed(SEED)
    config = BertConfig(
        **{**json.loads((src / "config.json").read_text()), **SMALL, "num_attention_heads": 4}
    )
    model = BertForMaskedLM(config).eval()
    tok = BertTokenizer(str(src / "vocab.txt"), do_lower_case=False, model_max_length=512)
    names, texts = [n for n, _ in seqs], [s for _, s in seqs]
    ids = [tok(" ".join(s[i : i + 6] for i in range(len(s) - 5)))["input_ids"] for s in texts]
    input_ids, mask = _batch(ids, tok.pad_token_id)
    with torch.no_grad():
        res = model(input_ids, attention_mask=mask, output_hidden_states=True)
        base = [study_base_probabilities(model, tok, s) for s in texts]
    out.mkdir(parents=True, exist_ok=True)
    config.save_pretrained(out)
    torch.save(model.state_dict(), out / "pytorch_model.bin")
    tok.save_pretrained(out)
    write_reference(
        out,
        names,
        texts,
        ids,
        input_ids,
        mask,
        res.logits,
        res.hidden_states[-1],
        {"parameters": sum(p.numel() for p in model.parameters())},
        base_probabilities=np.concatenate(base),
    )
    print(f"dnabert6: golden model {sum(p.numel() for p in model.parameters()):,} parameters")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", type=Path, default=Path("../shared/fixtures/real"))
    parser.add_argument("--out", type=Path, default=Path("utr_assets_tests/golden"))
    args = parser.parse_args()
    torch.set_num_threads(2)
    seqs = golden_sequences(args.fixtures)
    make_dnabert2(args.fixtures, args.out / "dnabert2", seqs)
    make_dnabert6(args.fixtures, args.out / "dnabert6", seqs)


if __name__ == "__main__":
    main()
