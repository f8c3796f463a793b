"""Tokenisation throughput: our batch fast paths vs the plain Hugging Face paths, same corpus.

Run: .venv/bin/python speed_benchmarks/tokenisation_throughput.py [--corpus DIR_OR_PARQUET] [--sequences 4000]
Without --corpus it generates a random 3'UTR-like corpus (log-normal lengths, median ~1.1 kb like the
human 3'UTRs, ~0.2% N). Per family it times, in nucleotides per second:
  ours-encode   Tokeniser.encode_batch: numpy vectorised over a batch (k-mer families, single-nt) or
                the Rust tokenizers encode_batch_fast (BPE); ids + nucleotide spans
  ours-chunked  tokenise_frame: encode + chunking at the paper context + Arrow table with spans
  hf-fast-1x1   the saved HF fast tokenizer called once per sequence, tok(text, return_offsets_mapping=True)
                (DNABERT: text = the Python-built k-mer string, as the original DNABERT pipeline)
  hf-slow-1x1   a transformers slow tokenizer (PreTrainedTokenizer/PythonBackend subclass, pure Python,
                same vocabulary), once per sequence; not for BPE (no Python BPE with this vocabulary)
The reference paths run on a prefix of the corpus, capped by --reference-seconds; ids are compared
with ours on that prefix. Ratio = ours-encode nt/s / reference nt/s.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from transformers import PreTrainedTokenizer  # noqa: E402

from utr_assets.corpus import build_tokeniser, paper_chunk_spec, read_corpus, tokenise_frame  # noqa: E402
from utr_assets.corpus.tokenisers import Tokeniser  # noqa: E402


class SlowTokenizer(PreTrainedTokenizer):
    """A pure-Python transformers tokenizer over a fixed vocabulary; `_tokenize` per family."""

    def __init__(self, vocab: dict[str, int], pattern: str | None, **kwargs):
        self._vocab = dict(vocab)
        self._inverse = {i: t for t, i in vocab.items()}
        self._regex = re.compile(pattern) if pattern else None
        super().__init__(**kwargs)

    @property
    def vocab_size(self) -> int:
        return len(self._vocab)

    def get_vocab(self) -> dict[str, int]:
        return dict(self._vocab)

    def _tokenize(self, text: str, **kwargs) -> list[str]:
        return self._regex.findall(text) if self._regex else text.split()

    def _convert_token_to_id(self, token: str) -> int:
        return self._vocab.get(token, self._vocab[self.unk_token])

    def _convert_id_to_token(self, index: int) -> str:
        return self._inverse[index]


def slow_for(tok: Tokeniser) -> SlowTokenizer | None:
    vocab = tok.hf.get_vocab()
    if tok.family == "dnabert":
        return SlowTokenizer(vocab, None, unk_token="[UNK]")
    if tok.family == "nt":
        return SlowTokenizer(vocab, r"[ACGT]{6}|.", unk_token="<unk>")
    if tok.family == "dss":
        return SlowTokenizer(vocab, r".", unk_token="[UNK]")
    return None


def random_corpus(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    lengths = np.clip(rng.lognormal(np.log(1083), 0.9, n).astype(int), 10, 20000)
    bases = np.frombuffer(b"ACGT", dtype=np.uint8)
    seqs = []
    for length in lengths:
        arr = bases[rng.integers(0, 4, length)].copy()
        arr[rng.random(length) < 0.002] = ord("N")
        seqs.append(arr.tobytes().decode())
    return pd.DataFrame(
        {
            "utr_id": [f"UTR{i}" for i in range(n)],
            "gene_id": [f"G{i}" for i in range(n)],
            "species": "Homo_sapiens",
            "sequence": seqs,
        }
    )


def timed(fn, *args) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - started, result


def encode_all(tok: Tokeniser, batches: list[list[str]]) -> list:
    return [tok.encode_batch(b) for b in batches]


def tokenise_all(frame: pd.DataFrame, tok: Tokeniser, spec, batch: int) -> list:
    return [tokenise_frame(frame.iloc[i : i + batch], tok, spec) for i in range(0, len(frame), batch)]


def reference(tok: Tokeniser, call, seqs: list[str], cap_s: float) -> tuple[float, int, list[list[int]]]:
    """(seconds, nucleotides, ids) calling ``call(text)`` once per sequence until ``cap_s`` passed."""
    nts, ids, started = 0, [], time.perf_counter()
    for seq in seqs:
        ids.append(call(tok.hf_text(seq)))
        nts += len(seq)
        if time.perf_counter() - started > cap_s:
            break
    return time.perf_counter() - started, nts, ids


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", help="parquet shard folder or file with a 'sequence' column")
    parser.add_argument("--sequences", type=int, default=4000, help="sequences to use (generated or read)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--batch", type=int, default=256, help="sequences per encode_batch call (cache-sized)"
    )
    parser.add_argument("--reference-seconds", type=float, default=6.0, help="time cap per reference path")
    parser.add_argument("--bpe-train-nt", type=int, default=3_000_000)
    args = parser.parse_args()

    if args.corpus:
        frame = read_corpus(args.corpus).head(args.sequences).reset_index(drop=True)
        for column, value in (("utr_id", None), ("gene_id", None), ("species", "unknown")):
            if column not in frame:
                frame[column] = value if value else [f"{column}{i}" for i in range(len(frame))]
        source = args.corpus
    else:
        frame = random_corpus(args.sequences, args.seed)
        source = f"random (seed {args.seed})"
    seqs = frame["sequence"].tolist()
    total_nt = sum(map(len, seqs))
    print(
        f"corpus: {source}; {len(seqs):,} sequences, {total_nt / 1e6:.2f} Mnt, "
        f"median length {int(np.median([len(s) for s in seqs]))}"
    )

    rows = []
    for family in ("dnabert", "nt", "dnabert2", "dss"):
        if family == "dnabert2":
            train_s, tok = timed(
                lambda: build_tokeniser(
                    "dnabert2", sequences=seqs, vocab_size=4096, bpe_max_nucleotides=args.bpe_train_nt
                )
            )
            print(
                f"dnabert2: BPE (vocab {tok.vocab_size}) trained on {args.bpe_train_nt / 1e6:.1f} Mnt in {train_s:.1f} s"
            )
        else:
            tok = build_tokeniser(family)
        batches = [seqs[i : i + args.batch] for i in range(0, len(seqs), args.batch)]
        tok.encode_batch(batches[0][:10])  # warm-up
        enc_s, encoded = timed(encode_all, tok, batches)
        chunk_s, _ = timed(tokenise_all, frame, tok, paper_chunk_spec(family), args.batch)
        ours = total_nt / enc_s
        rows.append((family, "ours-encode", total_nt, enc_s, ours, None))
        rows.append((family, "ours-chunked", total_nt, chunk_s, total_nt / chunk_s, None))

        def fast_call(text, tok=tok):
            return tok.hf(text, add_special_tokens=False, return_offsets_mapping=True)["input_ids"]

        refs = [("hf-fast-1x1", fast_call)]
        slow = slow_for(tok)
        if slow is not None:
            refs.append(
                ("hf-slow-1x1", lambda text, slow=slow: slow(text, add_special_tokens=False)["input_ids"])
            )
        for name, call in refs:
            secs, nts, ids = reference(tok, call, seqs, args.reference_seconds)
            ours_ids = [
                encoded[i // args.batch].sequence(i % args.batch)[0].tolist() for i in range(len(ids))
            ]
            if ids != ours_ids:
                raise SystemExit(f"{family} {name}: ids differ from the fast path")
            rows.append((family, name, nts, secs, nts / secs, ours / (nts / secs)))

    print(f"\n{'family':<9} {'path':<13} {'Mnt':>7} {'seconds':>8} {'Mnt/s':>8} {'ours/this':>10}")
    for family, name, nts, secs, rate, ratio in rows:
        shown = f"{ratio:10.1f}" if ratio is not None else f"{'':>10}"
        print(f"{family:<9} {name:<13} {nts / 1e6:7.2f} {secs:8.2f} {rate / 1e6:8.2f} {shown}")
    print("\nids of every reference path equal ours on the sequences it tokenised.")


if __name__ == "__main__":
    main()
