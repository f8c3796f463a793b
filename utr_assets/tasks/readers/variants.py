"""Task 2 source readers: ClinVar VCF, gnomAD VCF, eQTL Catalogue SuSiE credible sets, CADD
training VCFs. VCFs are read with pysam.VariantFile; only SNVs (one A/C/G/T base each side) are
returned, one row per ALT allele, with `pos` 1-based as in VCF and `chrom` spelled as in the file.

- ClinVar: INFO CLNSIG (kept: Pathogenic, Likely_pathogenic, Pathogenic/Likely_pathogenic, as the
  primary term before any `|`) and CLNREVSTAT (excluded: conflicting, no assertion/classification).
- gnomAD: INFO AC, AN, AF (Number=A); FILTER must be PASS (or missing) unless pass_only=False.
- eQTL Catalogue (release 6+ `QTD*.credible_sets.tsv.gz`): molecular_trait_id, gene_id, cs_id,
  variant (chr19_226776_C_T), rsid, cs_size, pip, pvalue, beta, se, z, cs_min_r2, region; the
  parquet export's chromosome/position/ref/alt columns are used when present.
- CADD training sets (`simulation_SNVs.vcf.gz`: proxy-deleterious; `humanDerived_SNVs.vcf.gz`:
  proxy-benign): plain sites VCFs.
Inputs are GRCh38/hg38; no liftover. Bad input -> `InputFormatError` (file, line, problem); the VCF
line is counted as header lines + records read.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pysam

from utr_assets.common.errors import InputFormatError
from utr_assets.tasks.readers.tsv import integer, numeric, read_tsv, require_columns

SNV_COLUMNS = ["chrom", "pos", "ref", "alt"]
CLINVAR_KEEP = frozenset({"Pathogenic", "Likely_pathogenic", "Pathogenic/Likely_pathogenic"})
REVSTAT_EXCLUDE = ("conflicting", "no_assertion", "no_classification", "no_interpretation")
BASES = frozenset("ACGT")


def iter_vcf(path: str | Path) -> Iterator[tuple[int, pysam.VariantRecord]]:
    """(approximate 1-based file line, record) for every VCF record; errors name the line."""
    path = Path(path)
    if not path.is_file():
        raise InputFormatError(path, "file not found")
    try:
        vcf = pysam.VariantFile(str(path))
    except (OSError, ValueError) as exc:
        raise InputFormatError(path, f"not a readable VCF ({exc})") from exc
    line = _header_lines(path)  # from the file: pysam's rendered header may gain lines (e.g. FILTER=PASS)
    with vcf:
        records = iter(vcf)
        while True:
            line += 1
            try:
                rec = next(records)
            except StopIteration:
                return
            except (OSError, ValueError) as exc:
                raise InputFormatError(path, f"bad VCF record ({exc})", line) from exc
            yield line, rec


def _header_lines(path: Path) -> int:
    """The number of '#' lines at the top of a (b)gzipped or plain VCF."""
    import gzip

    from utr_assets.common.textio import is_gzip

    count = 0
    with (gzip.open if is_gzip(path) else open)(path, "rb") as handle:
        for raw in handle:
            if not raw.startswith(b"#"):
                break
            count += 1
    return count


def _snv_alts(rec: pysam.VariantRecord) -> Iterator[tuple[int, str, str]]:
    """(ALT index, REF, ALT), both upper-case, for each single-base ALT of a single-base REF."""
    ref = (rec.ref or "").upper()
    if len(ref) != 1 or ref not in BASES:
        return
    for k, alt in enumerate(rec.alts or ()):
        if alt and len(alt) == 1 and alt.upper() in BASES and alt.upper() != ref:
            yield k, ref, alt.upper()


def _join(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple | list):
        return ",".join(str(v) for v in value)
    return str(value)


def read_vcf_snvs(path: str | Path) -> pd.DataFrame:
    """Every SNV of a sites VCF -> DataFrame (chrom, pos, ref, alt)."""
    rows = [(rec.chrom, rec.pos, ref, alt) for _, rec in iter_vcf(path) for _, ref, alt in _snv_alts(rec)]
    return pd.DataFrame(rows, columns=SNV_COLUMNS).astype({"pos": "int64"})


def read_clinvar(path: str | Path, pathogenic_only: bool = True) -> pd.DataFrame:
    """ClinVar SNVs -> (chrom, pos, ref, alt, clnsig, clnrevstat, keep); only `keep` rows by default.

    keep = primary CLNSIG in CLINVAR_KEEP and CLNREVSTAT free of conflicting/no-assertion terms.
    """
    rows = []
    for line, rec in iter_vcf(path):
        try:
            sig, rev = _join(rec.info.get("CLNSIG")), _join(rec.info.get("CLNREVSTAT"))
        except (KeyError, ValueError) as exc:
            raise InputFormatError(path, f"unreadable CLNSIG/CLNREVSTAT ({exc})", line) from exc
        primary = sig.split("|")[0]
        keep = primary in CLINVAR_KEEP and not any(term in rev.lower() for term in REVSTAT_EXCLUDE)
        for _, ref, alt in _snv_alts(rec):
            rows.append((rec.chrom, rec.pos, ref, alt, sig, rev, keep))
    table = pd.DataFrame(rows, columns=[*SNV_COLUMNS, "clnsig", "clnrevstat", "keep"]).astype(
        {"pos": "int64"}
    )
    return table[table["keep"]].reset_index(drop=True) if pathogenic_only else table


def read_gnomad(path: str | Path, pass_only: bool = True) -> pd.DataFrame:
    """gnomAD SNVs -> (chrom, pos, ref, alt, ac, an, af, filter); AC/AF per ALT (Number=A)."""
    rows = []
    for line, rec in iter_vcf(path):
        filters = [str(name) for name in rec.filter]  # filter names (pysam's stub: int | str)
        if pass_only and filters and filters != ["PASS"]:
            continue
        for k, ref, alt in _snv_alts(rec):
            try:
                ac, af = rec.info["AC"], rec.info["AF"]
                an = rec.info.get("AN") if "AN" in rec.header.info else None  # AN is optional
                ac = ac[k] if isinstance(ac, tuple) else ac
                af = af[k] if isinstance(af, tuple) else af
            except (KeyError, IndexError, ValueError) as exc:
                raise InputFormatError(path, f"record without usable AC/AF ({exc!r})", line) from exc
            if ac is None or af is None:
                raise InputFormatError(path, "AC or AF is missing ('.')", line)
            rows.append(
                (
                    rec.chrom,
                    rec.pos,
                    ref,
                    alt,
                    int(ac),
                    an if an is not None else -1,
                    float(af),
                    ";".join(filters) or ".",
                )
            )
    return pd.DataFrame(rows, columns=[*SNV_COLUMNS, "ac", "an", "af", "filter"]).astype(
        {"pos": "int64", "ac": "int64", "an": "int64"}
    )


EQTL_REQUIRED = ["molecular_trait_id", "variant", "pip", "pvalue"]


def read_eqtl_susie(path: str | Path) -> pd.DataFrame:
    """eQTL Catalogue SuSiE credible sets -> (chrom, pos, ref, alt, molecular_trait_id, gene_id, cs_id,
    pip, pvalue), SNVs only; `chrom` as in `variant` (chr-prefixed in the Catalogue)."""
    path = Path(path)
    table = read_tsv(path)
    require_columns(table, EQTL_REQUIRED, path)
    parts = table["variant"].astype(str).str.rsplit("_", n=3, expand=True)
    if parts.shape[1] != 4 or parts.isna().any().any():
        bad = int(parts.isna().any(axis=1).to_numpy().nonzero()[0][0]) if parts.shape[1] == 4 else 0
        raise InputFormatError(
            path,
            f"variant {table['variant'].iloc[bad]!r} is not chrom_pos_ref_alt",
            int(table["_line"].iloc[bad]),
        )
    strict = parts[1].astype(str).str.fullmatch(r"[0-9]+") & (pd.to_numeric(parts[1], errors="coerce") >= 1)
    out = pd.DataFrame(
        {
            "chrom": parts[0],
            "pos": pd.to_numeric(parts[1], errors="coerce"),
            "ref": parts[2].str.upper(),
            "alt": parts[3].str.upper(),
        }
    )
    if not strict.all():
        bad = int((~strict).to_numpy().nonzero()[0][0])
        raise InputFormatError(
            path,
            f"variant {table['variant'].iloc[bad]!r}: position is not an integer >= 1 (decimal digits only)",
            int(table["_line"].iloc[bad]),
        )
    if "position" in table.columns:
        position = integer(table, "position", path, minimum=1)
        mismatch = (position != out["pos"]).to_numpy().nonzero()[0]
        if mismatch.size:
            raise InputFormatError(
                path, "position column disagrees with variant id", int(table["_line"].iloc[int(mismatch[0])])
            )
    out["pos"] = out["pos"].astype("int64")
    out["molecular_trait_id"] = table["molecular_trait_id"].astype(str)
    out["gene_id"] = table["gene_id"].astype(str) if "gene_id" in table.columns else out["molecular_trait_id"]
    out["cs_id"] = table["cs_id"].astype(str) if "cs_id" in table.columns else ""
    out["pip"] = numeric(table, "pip", path)
    out["pvalue"] = numeric(table, "pvalue", path)
    snv = out["ref"].isin(BASES) & out["alt"].isin(BASES) & (out["ref"] != out["alt"])
    return out[snv].reset_index(drop=True)


def read_cadd_training(simulated: str | Path, human_derived: str | Path) -> pd.DataFrame:
    """Both CADD training VCFs -> (chrom, pos, ref, alt, cadd_class) with class 'simulated' or
    'human_derived' (CADD's proxy-deleterious vs proxy-benign)."""
    sim = read_vcf_snvs(simulated).assign(cadd_class="simulated")
    hum = read_vcf_snvs(human_derived).assign(cadd_class="human_derived")
    return pd.concat([sim, hum], ignore_index=True)
