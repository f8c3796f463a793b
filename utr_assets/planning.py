"""`utr-assets plan`: what a profile would download and compute, with GPU-hour estimates, doing neither.

What belongs here: reading the sources catalogue, the settings and the model registry into a plan (a
plain dict, printable as a table or JSON), and the throughput numbers the estimates rest on. Nothing is
downloaded (``probe=True`` only asks servers for sizes) and nothing is imported from torch.

Estimates, stated so they can be checked:
- Training throughput: measured this project on one H100 80GB, bf16 autocast, AdamW, paper presets at
  the study's context (speed_benchmarks/training_throughput.py docstring, 2026-11-23, 20 steps).
- Forward-only (scoring) throughput is taken as 3x the training throughput: a training step costs about
  one forward plus a backward of twice its FLOPs. This is an assumption, not a measurement.
- Corpus: 6.6 Gbp in 3,783,714 orthologous 3'UTRs (docs/protocol.md §2); human: 18,134 UTRs of mean 1,792 nt (docs/protocol.md §1).
  Token counts use the mean length (chunks, overlaps and specials counted; batch padding not counted).
- DNABERT-2 BPE tokens: 4 nt per token is an assumption (vocab 4,096); replace it with the ratio the
  `tokenised_corpus` asset reports on the real corpus.
Per-family numbers (measured throughput, tokens per sequence, forward passes of per-base scoring, chunk
rule, epoch cap) are each family's description (``cost``, ``chunks``, ``training``) in utr_assets/families/.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from utr_assets.evaluation.estimate import evaluation_estimate, format_evaluation
from utr_assets.families import FAMILIES, ChunkRule, CostModel, Family, family
from utr_assets.model_registry import load_registry
from utr_assets.settings import Settings
from utr_assets.sources.catalogue import DEFAULT_CATALOGUE, Catalogue, load_catalogue

THROUGHPUT_SOURCE = (
    "speed_benchmarks/training_throughput.py: H100 80GB, bf16, AdamW, paper presets, measured 2026-11-23"
)
FORWARD_SPEEDUP = 3.0  # assumption: forward-only ~ 3x a training step's tokens/s
CORPUS_NT = 6.6e9  # docs/protocol.md §2
CORPUS_SEQUENCES = 3_783_714  # docs/protocol.md §2
HUMAN_UTRS = 18_134  # docs/protocol.md §1
HUMAN_MEAN_NT = 1_792  # docs/protocol.md §1
ALIGNMENT_ASSETS = ("maf_index", "utr3_alignments", "utr3_orthologs")


def _costed(name: str) -> tuple[Family, CostModel, ChunkRule]:
    fam = family(name)
    if fam.cost is None or fam.chunks is None:
        raise ValueError(f"the {name} family has no cost model (not a language model)")
    return fam, fam.cost, fam.chunks


def train_throughput() -> dict[str, float]:
    """Measured training tokens (nt) per second of every family with a cost model."""
    return {name: fam.cost.train_tokens_per_s for name, fam in FAMILIES.items() if fam.cost is not None}


def tokens_for(family: str, length_nt: float) -> float:
    """Tokens a model of ``family`` processes for one sequence of ``length_nt`` (chunked as in training)."""
    fam, cost, chunks = _costed(family)
    context, overlap = chunks.context, chunks.overlap
    specials = fam.n_special_tokens
    content = context - specials
    n = cost.tokens(length_nt)
    if n <= content:
        return n + specials
    return (math.ceil((n - content) / (content - overlap)) + 1) * (content + specials)


def training_gpu_hours(family: str, preset: str | None, human_only: bool = False) -> dict[str, Any]:
    """One epoch over the orthologous corpus (or the human 3'UTRs only, for human_only models)."""
    if preset != "paper":
        return {"note": f"preset {preset!r}: no measured throughput (paper presets only)"}
    fam, cost, _ = _costed(family)
    n_seq, mean = (
        (HUMAN_UTRS, HUMAN_MEAN_NT) if human_only else (CORPUS_SEQUENCES, CORPUS_NT / CORPUS_SEQUENCES)
    )
    tokens = n_seq * tokens_for(family, mean)
    per_epoch = tokens / cost.train_tokens_per_s / 3600
    max_epochs = fam.training_defaults("paper")["max_epochs"]
    return {
        "tokens_per_epoch": tokens,
        "gpu_hours_per_epoch": per_epoch,
        "max_epochs": max_epochs,
        "gpu_hours_at_cap": per_epoch * max_epochs,
    }


def scoring_gpu_hours(family: str) -> dict[str, Any]:
    """Per-base probabilities for every human 3'UTR position (docs/protocol.md §4), forward passes only."""
    fam, cost, chunks = _costed(family)
    chunk = min(tokens_for(family, HUMAN_MEAN_NT), chunks.context)
    passes, mode = cost.scoring_passes(HUMAN_UTRS, HUMAN_MEAN_NT, chunks.context - fam.n_special_tokens)
    tokens = passes * chunk
    hours = tokens / (cost.train_tokens_per_s * FORWARD_SPEEDUP) / 3600
    return {"mode": mode, "forward_passes": passes, "tokens": tokens, "gpu_hours": hours}


def _downloads(catalogue: Catalogue, settings: Settings, probe: bool) -> list[dict[str, Any]]:
    """One row per catalogue entry (utr_assets/sources/disk.py), with the settings value it feeds."""
    from utr_assets.sources.disk import source_rows

    chromosomes = tuple(settings.alignments.chromosomes) if settings.alignments else ()
    rows = source_rows(catalogue, settings)
    for row, entry in zip(rows, catalogue, strict=True):
        row["setting"] = _setting(settings, entry.feeds)
        files = catalogue.files(entry, chromosomes)
        if probe and files:
            row["size_bytes"], row["probe"] = _probe(files)
            row["size_exact"] = row["size_bytes"] is not None
    return rows


def _setting(settings: Settings, key: str | None) -> Any:
    if not key:
        return None
    value: Any = settings
    for part in key.split("."):
        value = getattr(value, part, None)
    return value


def _probe(files: list) -> tuple[int | None, str]:
    from utr_assets.sources.transfer import open_fs, remote_info

    total: int | None = 0
    problems: list[str] = []
    for file in files:
        try:
            info = remote_info(*open_fs(file.url, file.entry.storage_options))
        except Exception as exc:  # noqa: BLE001 - reported, the plan goes on
            problems.append(f"{file.label}: {type(exc).__name__}: {exc}")
            continue
        total = total + info.size if info.size is not None and total is not None else None
    return (total if not problems else None), ("; ".join(problems) or "ok")


def build_plan(
    settings: Settings, catalogue_path: str | Path = DEFAULT_CATALOGUE, probe: bool = False
) -> dict:
    if catalogue_path == DEFAULT_CATALOGUE:  # the settings' catalogue, with its URL overrides and mirror
        from utr_assets.sources.feeds import source_catalogue

        catalogue = source_catalogue(settings)
    else:
        catalogue = load_catalogue(catalogue_path)
    registry = load_registry(settings.registry)
    chromosomes = list(settings.alignments.chromosomes) if settings.alignments else []
    models = []
    for entry in registry.values():
        row: dict[str, Any] = {
            "slug": entry.slug,
            "kind": entry.kind,
            "family": entry.family,
            "preset": entry.preset(settings.profile),
        }
        if family(entry.family).cost is not None:
            if entry.kind == "trained":
                row["training"] = training_gpu_hours(entry.family, row["preset"], entry.human_only)
            row["scoring"] = scoring_gpu_hours(entry.family)
        models.append(row)
    downloads = _downloads(catalogue, settings, probe)
    known = [d["size_bytes"] for d in downloads if d["size_bytes"] is not None]
    from utr_assets.sources.disk import disk_summary

    return {
        "profile": settings.profile,
        "storage_root": settings.storage.root,
        "device": settings.compute.device,
        "catalogue": str(catalogue.path),
        "downloads": downloads,
        "download_bytes_known": sum(known),
        "downloads_unknown_size": len(downloads) - len(known),
        "disk": disk_summary(downloads, settings),
        "partitions": {
            "chromosome": chromosomes,
            "alignment_runs": len(chromosomes) * len(ALIGNMENT_ASSETS),
            "model": [m["slug"] for m in models],
        },
        "models": models,
        "gpu_hours": {
            "training_at_epoch_cap": sum(m.get("training", {}).get("gpu_hours_at_cap", 0) for m in models),
            "training_per_epoch": sum(m.get("training", {}).get("gpu_hours_per_epoch", 0) for m in models),
            "scoring_per_base": sum(m.get("scoring", {}).get("gpu_hours", 0) for m in models),
        },
        "evaluation": evaluation_estimate(len(models)),  # measured probe throughputs (evaluation_estimate)
        "assumptions": {
            "throughput_source": THROUGHPUT_SOURCE,
            "train_tokens_per_s": train_throughput(),
            "forward_speedup": FORWARD_SPEEDUP,
            **{k: v for fam in FAMILIES.values() if fam.cost for k, v in fam.cost.assumptions.items()},
            "corpus_nt": CORPUS_NT,
            "corpus_sequences": CORPUS_SEQUENCES,
            "human_utrs": HUMAN_UTRS,
            "human_mean_nt": HUMAN_MEAN_NT,
        },
    }


def _size(n: int | None) -> str:
    if n is None:
        return "unknown"
    value = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return str(value)


def format_plan(plan: dict) -> str:
    """The plan as plain-text tables."""
    from utr_assets.sources.disk import format_sources

    out = [
        f"Plan for profile {plan['profile']!r} (store {plan['storage_root']}, device {plan['device']}); "
        "nothing is downloaded or computed.",
        "",
        *format_sources(plan["downloads"], plan["disk"], plan["catalogue"]),
    ]
    parts = plan["partitions"]
    out += [
        "",
        f"Partitions: {len(parts['chromosome'])} chromosomes x {len(ALIGNMENT_ASSETS)} alignment assets "
        f"= {parts['alignment_runs']} runs; {len(parts['model'])} models: {', '.join(parts['model'])}",
        "",
        "GPU-hours (H100, estimated from measured training throughput):",
        f"  {'model':<21}{'family':<10}{'preset':<8}{'train h/epoch':>14}{'train h @cap':>14}{'score h':>10}",
    ]
    for m in plan["models"]:
        t, s = m.get("training", {}), m.get("scoring", {})
        epoch = f"{t['gpu_hours_per_epoch']:.1f}" if "gpu_hours_per_epoch" in t else "-"
        cap = f"{t['gpu_hours_at_cap']:.0f}" if "gpu_hours_at_cap" in t else "-"
        score = f"{s['gpu_hours']:.1f}" if "gpu_hours" in s else "-"
        out.append(
            f"  {m['slug']:<21}{m['family']:<10}{m['preset'] or '-':<8}{epoch:>14}{cap:>14}{score:>10}"
        )
    g, a = plan["gpu_hours"], plan["assumptions"]
    out += [
        f"  total: training {g['training_per_epoch']:.1f} h per epoch ({g['training_at_epoch_cap']:.0f} h at the "
        f"epoch caps; the plateau rule stops earlier), per-base scoring {g['scoring_per_base']:.1f} h",
        "",
        f"Throughputs: {a['train_tokens_per_s']} tokens/s ({a['throughput_source']}); scoring assumes "
        f"{a['forward_speedup']}x for forward-only; "
        + "; ".join(fam.cost.note for fam in FAMILIES.values() if fam.cost and fam.cost.note)
        + ".",
    ]
    if "evaluation" in plan:
        out += ["", *format_evaluation(plan["evaluation"])]
    return "\n".join(out)
