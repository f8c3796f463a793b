"""The scorer of masked language models (trained here or pretrained): per-base probabilities, embeddings
and reconstruction losses for the dnabert, nt, dnabert2 and dss tokenisations.

What belongs here: choosing the plan and readout tables per readout kind, chunking, and turning
runner outputs into per-sequence results. Not here: loading checkpoints (`loading.py`), plans
(`marginals.py`), torch batching (`forward_passes.py`), which family reads out how (its description
in utr_assets/families/: ``readout``, ``capabilities``, ``reference_aware``, ``chunks``, ...).

Readouts and capabilities:
- overlapping_kmer (dnabert), kmer (nt), nucleotide (dss): probabilities, embeddings, loss. Probability
  modes (``probability_mode``, the default of `base_probabilities`; the study's choice per score is the
  family's ``probability_modes``, overridable in settings): ``masked`` exact masked marginals
  (docs/protocol.md §4); ``unmasked`` the same readouts from one unmasked pass per chunk;
  ``reference_aware`` (kmer readout: nt) the unmasked pass read by token substitution (study: NT's VIS).
  `base_probabilities_modes` computes several modes, unmasked and reference_aware from shared passes.
- no readout (dnabert2, BPE): embeddings and loss only. docs/protocol.md §4 defines no per-base marginal for
  variable-length tokens (the study reported none), so `base_probabilities` raises and variant pref/palt are NaN.
Embeddings: last hidden layer, mean over the real tokens of a chunk (content tokens: no padding, no
[CLS]/[SEP]), then the mean over the sequence's chunks ("mean_chunks") or its first chunk ("truncate").
Loss: mean cross-entropy of the unmasked model predicting its own input at every content token, each
token counted once (in the chunk where it is farthest from an edge); [UNK] and the family's
``excluded_target_ids`` (N for dss) excluded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import torch

from utr_assets.corpus.chunking import ChunkBatch, ChunkSpec, chunk_batch, paper_chunk_spec
from utr_assets.corpus.kmers import kmer_ids_of, ragged_arange
from utr_assets.corpus.tokenisers import Tokeniser
from utr_assets.families import FAMILIES, family
from utr_assets.scoring import marginals as mg
from utr_assets.scoring import readout_tables
from utr_assets.scoring.base import PROBABILITIES, ScorerBase, ScoringError
from utr_assets.scoring.forward_passes import ModelIO, run_chunks, run_plan_modes

PROBABILITY_MODES = ("masked", "unmasked", "reference_aware")  # reference_aware: families that allow it
_READOUT = {"unmasked": mg.MARGINAL, "reference_aware": mg.SUBSTITUTE}
EMBEDDING_MODES = ("mean_chunks", "truncate")


def model_context(model: torch.nn.Module, key: str = "max_position_embeddings") -> int:
    """Tokens per chunk the model takes: its config's ``key`` (the family's ``context_key``)."""
    value = getattr(model.config, key, None)
    if not value:
        raise ScoringError(f"cannot tell the context length of {type(model).__name__}: pass context=")
    return int(value)


def reference_species_index(name: str, tokeniser: Tokeniser, species: str | None) -> int:
    """Index of ``species`` (the MAF's name of the reference: settings alignments.reference_species, e.g.
    hg38 or Homo_sapiens) in a species-aware model's own species list; never the unknown index. As the
    study, which scored human 3'UTRs as its reference species (models/zoonomia/state_space/main_parallel.py:
    ``all_species_enc['Homo_sapiens']``, the name in its Zoonomia HAL)."""
    vocab = tokeniser.species
    if vocab is None:
        raise ScoringError(f"{name}: species-aware model but the tokeniser has no species.json")
    if species is None:
        raise ScoringError(
            f"{name}: species-aware model: say which species the sequences are scored as "
            "(species=, from settings alignments.reference_species)"
        )
    if species not in vocab.species:
        shown = ", ".join(vocab.species[:8]) + (", ..." if len(vocab.species) > 8 else "")
        raise ScoringError(
            f"{name}: reference species {species!r} is not in the model's species list "
            f"({len(vocab.species)}: {shown}); set alignments.reference_species to the name "
            "the model was trained with"
        )
    return vocab.species.index(species)


class LanguageModelScorer(ScorerBase):
    def __init__(
        self,
        model: torch.nn.Module,
        tokeniser: Tokeniser,
        *,
        name: str = "model",
        device: torch.device | str = "cpu",
        context: int | None = None,
        overlap: int | None = None,
        max_tokens: int = 8192,
        probability_mode: str = "masked",
        species: str | None = None,
        autocast: bool = True,
        rolling_stride: int = mg.ROLLING_STRIDE,
    ):
        self.name, self.tokeniser, self.family = name, tokeniser, tokeniser.family
        self.family_spec = fam = family(tokeniser.family)
        self._check_mode(probability_mode)
        self.device = torch.device(device)
        self.model = model.to(self.device).eval()
        self.probability_mode, self.rolling_stride = probability_mode, rolling_stride
        self.n_prefix, self.n_special = (
            len(tokeniser.prefix_ids),
            len(tokeniser.prefix_ids) + len(tokeniser.suffix_ids),
        )
        ctx = context or model_context(model, fam.context_key)
        size = ctx - self.n_special
        default_overlap = min(paper_chunk_spec(fam.name).overlap, max(size // 4, 1))
        self.spec = ChunkSpec(ctx, default_overlap if overlap is None else overlap)
        self.spec.content_size(self.n_special)  # validates
        hf = tokeniser.hf
        species_index = None
        if getattr(model.config, "n_species", 0):
            species_index = reference_species_index(name, tokeniser, species)
        self.io = ModelIO(
            int(hf.pad_token_id),
            int(hf.mask_token_id),
            self.device,
            species_index,
            max_tokens,
            autocast,
            mixed_lengths=fam.mixed_lengths,
        )
        self.hidden_size = self._width = int(cast(Any, model).config.hidden_size)
        self.capabilities = frozenset(fam.capabilities)
        self._table, self._substitution = self._readout_tables()
        excluded = {hf.unk_token_id, *fam.excluded_target_ids}
        self._no_target = np.array(sorted(i for i in excluded if i is not None), dtype=np.int64)

    def _readout_tables(self) -> tuple[np.ndarray | None, np.ndarray | None]:
        tok, V, readout = self.tokeniser, self.tokeniser.vocab_size, self.family_spec.readout
        if readout == "nucleotide":
            return readout_tables.nucleotide_table(V), None
        if readout is None:
            return None, None
        try:  # the checkpoint's own vocabulary, whatever its layout
            offset = kmer_ids_of(tok.hf.get_vocab(), tok.k)
        except ValueError as exc:
            raise ScoringError(f"{self.name}: {exc}") from None
        if readout == "overlapping_kmer":
            return readout_tables.kmer_marginal_table(V, offset, tok.k), None
        letters = {b: int(cast(int, tok.hf.convert_tokens_to_ids(b))) for b in "ACGT"}
        return (
            readout_tables.kmer_marginal_table(V, offset, tok.k, letters),
            readout_tables.kmer_substitution_table(V, offset, tok.k, letters),
        )

    def _chunks(self, sequences: Sequence[str]):
        tokens = self.tokeniser.encode_batch(list(sequences))
        chunks = chunk_batch(tokens, self.spec, self.tokeniser.prefix_ids, self.tokeniser.suffix_ids)
        return tokens, chunks

    def _check_mode(self, mode: str) -> str:
        if mode not in PROBABILITY_MODES:
            raise ScoringError(f"probability_mode must be one of {PROBABILITY_MODES}, got {mode!r}")
        if mode == "reference_aware" and not self.family_spec.reference_aware:
            allowed = ", ".join(f.name for f in FAMILIES.values() if f.reference_aware)
            raise ScoringError(
                f"{self.name}: the reference-aware mode is defined for the {allowed} tokenisation only"
            )
        return mode

    def plan(self, sequences: Sequence[str], mode: str | None = None) -> mg.MaskPlan:
        """The plan of ``sequences`` in ``mode`` (default: the scorer's; exposed for tests and the benchmark)."""
        if PROBABILITIES not in self.capabilities:
            raise self._refuse(PROBABILITIES)
        mode = self._check_mode(mode or self.probability_mode)
        if mode != "masked":
            return mg.unmasked_plan(self.plan(sequences, "masked"), _READOUT[mode])
        tokens, chunks = self._chunks(sequences)
        lengths = np.fromiter((len(s) for s in sequences), dtype=np.int64, count=len(sequences))
        readout = self.family_spec.readout
        if readout == "overlapping_kmer":
            return mg.plan_dnabert(tokens, lengths, chunks, self.n_prefix, self.n_special, self.tokeniser.k)
        if readout == "nucleotide":
            return mg.plan_rolling(tokens, chunks, self.rolling_stride)
        return mg.plan_nt(tokens, chunks, self.n_prefix, self.n_special, self.tokeniser.k)

    def base_probabilities(
        self, sequences: Sequence[str], ids: Sequence[str] | None = None, mode: str | None = None
    ) -> list[np.ndarray]:
        """(L, 4) ACGT probabilities per sequence in ``mode`` (default: the scorer's probability_mode)."""
        mode = mode or self.probability_mode
        return self.base_probabilities_modes(sequences, (mode,))[mode]

    def base_probabilities_modes(
        self, sequences: Sequence[str], modes: Sequence[str]
    ) -> dict[str, list[np.ndarray]]:
        """Mode -> per-sequence probabilities; unmasked and reference_aware share their forward passes."""
        out: dict[str, list[np.ndarray]] = {}
        single = tuple(dict.fromkeys(self._check_mode(m) for m in modes if m != "masked"))
        groups = ([(self.plan(sequences, "masked"), ("masked",))] if "masked" in modes else []) + (
            [(self.plan(sequences, single[0]), single)] if single else []
        )
        for plan, names in groups:
            arrays = {m: [np.full((len(s), 4), np.nan, dtype=np.float32) for s in sequences] for m in names}
            if plan.n_copies:
                assert self._table is not None  # a plan exists only where the family has a readout
                readouts = tuple(_READOUT.get(m, mg.MARGINAL) for m in names)
                probs = run_plan_modes(self.model, self.io, plan, self._table, self._substitution, readouts)
                for m, readout in zip(names, readouts, strict=True):
                    for s in np.unique(plan.r_seq):
                        sel = plan.r_seq == s
                        arrays[m][s][plan.r_pos[sel]] = probs[readout][sel]
            out |= arrays
        return out

    def embeddings_and_loss(
        self, sequences: Sequence[str], mode: str = "mean_chunks"
    ) -> tuple[np.ndarray, np.ndarray]:
        """((n, hidden) embeddings, (n,) losses) from one unmasked pass over all chunks."""
        if mode not in EMBEDDING_MODES:
            raise ScoringError(f"embedding mode must be one of {EMBEDDING_MODES}, got {mode!r}")
        n = len(sequences)
        emb = np.full((n, self._width), np.nan, dtype=np.float32)
        loss = np.full(n, np.nan, dtype=np.float64)
        tokens, chunks = self._chunks(sequences)
        if len(chunks) == 0:
            return emb, loss
        content, target_ok = self._token_masks(tokens, chunks)
        chunk_emb, token_loss, n_real = run_chunks(self.model, self.io, chunks, content, target_ok)
        if chunk_emb.shape[1] != self._width:
            raise ScoringError(
                f"{self.name}: last hidden layer width {chunk_emb.shape[1]} != hidden_size {self._width}"
            )
        use = (n_real > 0) & ((chunks.chunk_index == 0) if mode == "truncate" else True)
        sums = np.zeros((n, self._width), dtype=np.float64)
        np.add.at(sums, chunks.sequence[use], chunk_emb[use])
        count = np.bincount(chunks.sequence[use], minlength=n)
        emb[count > 0] = (sums[count > 0] / count[count > 0, None]).astype(np.float32)
        seq_of_token = np.repeat(chunks.sequence, np.diff(chunks.offsets))
        ok = ~np.isnan(token_loss)
        total = np.bincount(seq_of_token[ok], weights=token_loss[ok], minlength=n)
        k = np.bincount(seq_of_token[ok], minlength=n)
        loss[k > 0] = total[k > 0] / k[k > 0]
        return emb, loss

    def _token_masks(self, tokens, chunks: ChunkBatch) -> tuple[np.ndarray, np.ndarray]:
        """(content: not a special token, target_ok: content, owned by this chunk, a scorable id) per chunk token."""
        content = chunks.starts >= 0
        n_content = np.diff(chunks.offsets) - self.n_special
        seq_tok = np.repeat(np.arange(len(tokens)), tokens.counts())
        tok_index = ragged_arange(np.zeros(len(tokens), dtype=np.int64), tokens.counts()).astype(np.int64)
        owner = mg.assign_chunks(chunks, self.n_special, seq_tok, tok_index, tok_index)
        # flat chunk position of content token j of chunk c: offsets[c] + n_prefix + j
        c_of = np.repeat(np.arange(len(chunks)), n_content)
        j = ragged_arange(np.zeros(len(chunks), dtype=np.int64), n_content).astype(np.int64)
        flat = chunks.offsets[c_of] + self.n_prefix + j
        global_tok = tokens.offsets[chunks.sequence[c_of]] + chunks.token_start[c_of] + j
        target_ok = np.zeros(len(chunks.ids), dtype=bool)
        target_ok[flat] = owner[global_tok] == c_of
        target_ok &= ~np.isin(chunks.ids, self._no_target)
        return content, target_ok

    def embeddings(self, sequences: Sequence[str], mode: str = "mean_chunks") -> np.ndarray:
        return self.embeddings_and_loss(sequences, mode)[0]

    def reconstruction_loss(self, sequences: Sequence[str]) -> np.ndarray:
        return self.embeddings_and_loss(sequences)[1]
