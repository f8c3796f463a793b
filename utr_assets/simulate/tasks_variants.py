"""Task 2 sources in their published layouts: ClinVar VCF (CLNSIG, CLNREVSTAT; contigs without
`chr` like NCBI), gnomAD VCF (AC, AN, AF), eQTL Catalogue SuSiE credible sets (TSV), CADD
training VCFs (simulated and human-derived SNVs; no `chr`) and a CADD per-position score table.

The labels follow the planted biology: pathogenic variants mostly break functional motif sites,
common gnomAD variants avoid slow (constrained) sites, fine-mapped eQTLs break motifs of RBPs
with large effects, human-derived alleles come from the simulated human-chimp ancestor.
VCF POS is 1-based; REF is always the genome base.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from utr_assets.simulate.biology import RBPS
from utr_assets.simulate.fileio import GAP, UPPER, write_gzip_text, write_tabix
from utr_assets.simulate.sites import UtrSites, other_base

GNOMAD_AN = 152_312
CLNREV_OK = (
    "criteria_provided,_single_submitter",
    "criteria_provided,_multiple_submitters,_no_conflicts",
    "reviewed_by_expert_panel",
)


def _base(code: np.ndarray | int) -> str:
    return chr(UPPER[int(code)])


def _ncbi(chrom: str) -> str:
    return chrom.removeprefix("chr")


def _contigs(world, ncbi: bool) -> str:
    return "".join(
        f"##contig=<ID={_ncbi(c.name) if ncbi else c.name},length={len(c.codes)}>\n" for c in world.primary
    )


def _draw(
    rng: np.random.Generator, pool: np.ndarray, weights: np.ndarray, n: int, taken: set[int]
) -> np.ndarray:
    weights = weights.astype(float).copy()
    weights[sorted(taken)] = 0.0  # pool is arange(n): indices are positions
    n = min(n, int((weights > 0).sum()))
    chosen = rng.choice(pool, size=n, replace=False, p=weights / weights.sum()) if n else np.zeros(0, int)
    taken.update(chosen.tolist())
    return np.sort(chosen)


def _sorted_records(records: list[tuple], world) -> list[tuple]:
    order = {c.name: i for i, c in enumerate(world.chromosomes)}
    return sorted(records, key=lambda r: (order[r[0]], r[1], r[3]))


def write_clinvar(
    world, rng: np.random.Generator, sites: UtrSites, genes: list, path: Path
) -> dict[str, int]:
    n = len(sites)
    idx = np.arange(n)
    taken: set[int] = set()
    n_path = max(30, n // 900)
    functional = _draw(rng, idx, sites.functional.astype(float), int(n_path * 0.85), taken)
    other_path = _draw(rng, idx, np.ones(n), n_path - len(functional), taken)
    benign = _draw(rng, idx, (~sites.functional) * sites.rate**2, n_path, taken)
    vus = _draw(rng, idx, np.ones(n), n_path // 2, taken)
    conflicting = _draw(rng, idx, np.ones(n), n_path // 5, taken)
    no_assertion = _draw(rng, idx, np.ones(n), n_path // 6, taken)
    groups = [
        (functional, "path"),
        (other_path, "path"),
        (benign, "benign"),
        (vus, "vus"),
        (conflicting, "conflict"),
        (no_assertion, "noassert"),
    ]
    records = []
    for chosen, label in groups:
        for i in chosen:
            if label == "path":
                sig = ("Pathogenic", "Likely_pathogenic", "Pathogenic/Likely_pathogenic")[
                    int(rng.integers(3))
                ]
                rev = CLNREV_OK[int(rng.integers(3))]
            elif label == "benign":
                sig, rev = (
                    ("Benign", "Likely_benign", "Benign/Likely_benign")[int(rng.integers(3))],
                    CLNREV_OK[int(rng.integers(2))],
                )
            elif label == "vus":
                sig, rev = "Uncertain_significance", CLNREV_OK[0]
            elif label == "conflict":
                sig, rev = (
                    "Conflicting_classifications_of_pathogenicity",
                    "criteria_provided,_conflicting_classifications",
                )
            else:
                sig, rev = "Pathogenic", "no_assertion_criteria_provided"
            records.append((sites.chrom[i], int(sites.pos[i]), i, sig, rev))
    alts = other_base(rng, sites.ref[[r[2] for r in records]])
    lines = [
        "##fileformat=VCFv4.1\n##fileDate=2026-01-01\n##source=ClinVar (utr-assets mini-zoo simulation)\n"
        "##reference=GRCh38\n",
        _contigs(world, ncbi=True),
        '##INFO=<ID=ALLELEID,Number=1,Type=Integer,Description="the ClinVar Allele ID">\n'
        '##INFO=<ID=CLNDN,Number=.,Type=String,Description="ClinVar\'s preferred disease name">\n'
        '##INFO=<ID=CLNREVSTAT,Number=.,Type=String,Description="ClinVar review status">\n'
        '##INFO=<ID=CLNSIG,Number=.,Type=String,Description="Aggregate germline classification">\n'
        '##INFO=<ID=CLNVC,Number=1,Type=String,Description="Variant type">\n'
        '##INFO=<ID=GENEINFO,Number=1,Type=String,Description="Gene(s) for the variant (symbol:id)">\n'
        '##INFO=<ID=MC,Number=.,Type=String,Description="comma separated list of molecular consequence">\n'
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n",
    ]
    body = []
    for number, ((chrom, pos, i, sig, rev), alt) in enumerate(zip(records, alts, strict=True)):
        gene = genes[int(sites.gene[i])]
        disease = (
            "not_provided"
            if sig.startswith(("Benign", "Likely_benign"))
            else f"Mini-zoo_disorder_{number % 7 + 1}"
        )
        info = (
            f"ALLELEID={900_000 + number};CLNDN={disease};CLNREVSTAT={rev};CLNSIG={sig};"
            f"CLNVC=single_nucleotide_variant;GENEINFO={gene.gene_name}:{100_000 + number % 997};"
            "MC=SO:0001624|3_prime_UTR_variant"
        )
        body.append(
            (
                chrom,
                pos,
                f"{_ncbi(chrom)}\t{pos + 1}\t{2_000_000 + number}\t{_base(sites.ref[i])}\t"
                f"{_base(alt)}\t.\t.\t{info}\n",
                number,
            )
        )
    lines += [r[2] for r in _sorted_records(body, world)]
    write_tabix(path, "".join(lines), preset="vcf")
    return {
        "pathogenic": n_path,
        "pathogenic_at_functional_sites": len(functional),
        "benign": len(benign),
        "uncertain": len(vus),
        "conflicting": len(conflicting),
        "no_assertion": len(no_assertion),
    }


def write_gnomad(world, rng: np.random.Generator, sites: UtrSites, path: Path) -> dict[str, int]:
    n = len(sites)
    taken: set[int] = set()
    idx = np.arange(n)
    common = _draw(rng, idx, sites.rate**3 * (~sites.functional), n // 150, taken)
    singletons = _draw(rng, idx, np.ones(n), n // 40, taken)
    rare = _draw(rng, idx, sites.rate, n // 120, taken)
    records = []
    for chosen, kind in ((common, "common"), (singletons, "singleton"), (rare, "rare")):
        alts = other_base(rng, sites.ref[chosen])
        for i, alt in zip(chosen, alts, strict=True):
            an = GNOMAD_AN - int(rng.integers(0, 3_000))
            if kind == "common":
                ac = int(an * rng.uniform(0.05, 0.6))
            else:
                ac = 1 if kind == "singleton" else int(rng.integers(2, 200))
            filt = "PASS" if rng.random() > 0.03 else "AS_VQSR"
            info = f"AC={ac};AN={an};AF={ac / an:.5e};nhomalt={int(ac * ac / an / 2)}"
            records.append(
                (
                    sites.chrom[i],
                    int(sites.pos[i]),
                    0,
                    f"{sites.chrom[i]}\t{int(sites.pos[i]) + 1}\t.\t{_base(sites.ref[i])}\t{_base(alt)}\t"
                    f".\t{filt}\t{info}\n",
                )
            )
    header = (
        "##fileformat=VCFv4.2\n##source=gnomAD v4-like (utr-assets mini-zoo simulation)\n"
        '##FILTER=<ID=PASS,Description="All filters passed">\n'
        '##FILTER=<ID=AS_VQSR,Description="Failed VQSR filtering thresholds">\n'
        '##INFO=<ID=AC,Number=A,Type=Integer,Description="Alternate allele count">\n'
        '##INFO=<ID=AN,Number=1,Type=Integer,Description="Total number of alleles">\n'
        '##INFO=<ID=AF,Number=A,Type=Float,Description="Alternate allele frequency">\n'
        '##INFO=<ID=nhomalt,Number=A,Type=Integer,Description="Count of homozygous individuals">\n'
        + _contigs(world, ncbi=False)
        + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    )
    write_tabix(path, header + "".join(r[3] for r in _sorted_records(records, world)), preset="vcf")
    return {"common": len(common), "singletons": len(singletons), "rare": len(rare)}


def write_eqtl(world, rng: np.random.Generator, sites: UtrSites, genes: list, path: Path) -> dict[str, int]:
    """SuSiE credible sets: strong leads break motifs of large-effect RBPs; weak sets are random."""
    motif_rbp = np.full(len(sites), "", dtype=object)
    for gene in genes:
        for inst in gene.instances:
            if inst.functional and abs(RBPS[inst.rbp][1]) >= 0.3:
                hit = np.flatnonzero((sites.chrom == inst.chrom) & (sites.pos == inst.start + 2))
                motif_rbp[hit] = inst.rbp
    n = len(sites)
    taken: set[int] = set()
    strong = _draw(rng, np.arange(n), (motif_rbp != "").astype(float), max(20, n // 1_500), taken)
    weak = _draw(rng, np.arange(n), np.ones(n), max(20, n // 1_500), taken)
    cols = "molecular_trait_id\tgene_id\tcs_id\tvariant\trsid\tcs_size\tpip\tpvalue\tbeta\tse\tz\tcs_min_r2\tregion\n"
    rows = []
    for number, i in enumerate(np.concatenate([strong, weak])):
        is_strong = number < len(strong)
        gene = genes[int(sites.gene[i])]
        gid = gene.gene_id.split(".")[0]
        members = [int(i)] + [
            int(j)
            for j in rng.integers(max(0, i - 150), min(n, i + 150), size=int(rng.integers(0, 4)))
            if j != i and j not in taken
        ]
        log10p = rng.uniform(26, 80) if is_strong else rng.uniform(5, 24)
        effect = -RBPS[motif_rbp[i]][1] if is_strong else rng.normal(0, 0.2)
        se = abs(effect) / max(1.0, np.sqrt(2 * log10p * np.log(10)))
        pips = rng.dirichlet(np.ones(len(members)) * 0.5) * 0.05 + (np.eye(len(members))[0] * 0.95)
        alts = other_base(rng, sites.ref[members])
        for k, (j, alt) in enumerate(zip(members, alts, strict=True)):
            pos = int(sites.pos[j]) + 1
            p = 10 ** -(log10p - 2 * k)
            rows.append(
                (
                    sites.chrom[j],
                    pos,
                    0,
                    f"{gid}\t{gid}\t{gid}_L{number % 3 + 1}\t{sites.chrom[j]}_{pos}_{_base(sites.ref[j])}_"
                    f"{_base(alt)}\trs{700_000_000 + number * 10 + k}\t{len(members)}\t{pips[k]:.6f}\t{p:.4e}\t"
                    f"{effect:.5f}\t{se:.5f}\t{effect / se:.4f}\t{rng.uniform(0.5, 1):.4f}\t"
                    f"{sites.chrom[j]}:{max(1, pos - 1_000_000)}-{pos + 1_000_000}\n",
                )
            )
    write_gzip_text(path, cols + "".join(r[3] for r in rows))
    return {"strong_credible_sets": len(strong), "weak_credible_sets": len(weak)}


def write_cadd(world, rng: np.random.Generator, sites: UtrSites, folder: Path) -> dict[str, int]:
    folder.mkdir(parents=True, exist_ok=True)
    derived = np.flatnonzero((sites.ancestor < 4) & (sites.ancestor != sites.ref) & (sites.ancestor != GAP))
    simulated = np.sort(rng.choice(len(sites), size=max(len(derived), 50), replace=False))
    header = (
        "##fileformat=VCFv4.1\n##source=CADD training set (utr-assets mini-zoo simulation)\n"
        + _contigs(world, ncbi=True)
        + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    )
    for name, chosen, alts in (
        ("humanDerived_SNVs.vcf.gz", derived, sites.ancestor[derived]),
        ("simulation_SNVs.vcf.gz", simulated, other_base(rng, sites.ref[simulated])),
    ):
        body = "".join(
            f"{_ncbi(sites.chrom[i])}\t{sites.pos[i] + 1}\t.\t{_base(sites.ref[i])}\t{_base(a)}\t.\t.\t.\n"
            for i, a in zip(chosen, alts, strict=True)
        )
        write_tabix(folder / name, header + body, preset="vcf")
    # per-position table: 3 rows per base, raw score from constraint + motif function + noise
    base = (
        0.35 * np.clip(sites.phylop, -4, 6)
        + 1.4 * sites.functional
        + 0.6 * (1 - np.minimum(sites.rate, 2))
        + 0.3 * sites.neutral_motif
    )
    raw = base[:, None] + rng.normal(0.0, 0.35, size=(len(sites), 3))
    alts = (sites.ref[:, None] + np.array([1, 2, 3])[None, :]) % 4
    raw[alts == (sites.ref[:, None] + 2) % 4] -= 0.15  # transitions score lower
    order = np.argsort(-raw.ravel(), kind="stable")
    rank = np.empty(raw.size)
    rank[order] = np.arange(1, raw.size + 1)
    phred = (-10 * np.log10(rank / raw.size)).reshape(raw.shape)
    alt_sorted = np.sort(alts, axis=1)
    pick = np.argsort(alts, axis=1)
    lines = [
        "## CADD GRCh38-v1.7 (c) University of Washington, Hudson-Alpha and BIH; simulated by utr-assets\n"
        "#Chrom\tPos\tRef\tAlt\tRawScore\tPHRED\n"
    ]
    for i in range(len(sites)):
        chrom, pos, ref = _ncbi(sites.chrom[i]), sites.pos[i] + 1, _base(sites.ref[i])
        for k in range(3):
            j = pick[i, k]
            lines.append(
                f"{chrom}\t{pos}\t{ref}\t{_base(alt_sorted[i, k])}\t{raw[i, j]:.4f}\t{phred[i, j]:.3f}\n"
            )
    write_tabix(folder.parent / "cadd_scores.tsv.gz", "".join(lines), seq_col=0, start_col=1, end_col=1)
    return {"human_derived": len(derived), "simulated": len(simulated), "scored_positions": len(sites)}
