"""A miniature of every paper-profile source, at the real URLs' paths, for test_paper_mirror.py.

Each file keeps its real layout and format, made from the sample world (data/sample, which follows the
published layouts) or taken unchanged from ../shared/fixtures/real (Agarwal half-life and folds), with
the providers' checksum files (md5sum.txt, MD5SUMS, .md5 sidecars, an ENCODE metadata.tsv's
md5sum column) computed here; the two phyloP bigWigs are the sample's wiggle written as bigWig (pyBigWig).
Exceptions, stated: the Griesemer values are keyed by the
sample's oligos (the real table's ids match no sample oligo) and the Siegel Beas2B file (the real one's
layout: sequence TAB value, no header) holds the sample's oligos (the real oligos lie in no sample
3'UTR, and the MPRA task keeps only oligos inside one), so those two catalogue pins are dropped.
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
import pysam
import yaml

from utr_assets.sources.catalogue import DEFAULT_CATALOGUE
from utr_assets.tasks.readers.tracks import read_wiggle

PROJECT = Path(__file__).resolve().parents[1]
SAMPLE = PROJECT / "data" / "sample"
MAF_URL = "https://example.org/zoonomia241/{chrom}.maf.gz"  # sources.urls.zoonomia_maf in the test
CELLS = ("GM12878", "HEK293FT", "HEPG2", "HMEC", "K562", "SKNSH")


def mirror_path(url: str) -> str:
    """The path the test server answers for a real URL: /host/path[?query]."""
    parsed = urlparse(url)
    return f"/{parsed.netloc}{parsed.path}" + (f"?{parsed.query}" if parsed.query else "")


def md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _listing(data: bytes, name: str) -> bytes:
    return f"{md5(data)}  {name}\n".encode()


def griesemer_tables(folder: Path) -> tuple[bytes, Path]:
    """Table S1 layout (mpra_variant_id, log2FoldChange_{Skew,Ref,Alt}_{CELL}) from the sample's per-cell
    tables, and the sample oligo table keyed by mpra_variant_id (the manual input, a local file)."""
    wide = None
    for cell in CELLS:
        table = pd.read_csv(SAMPLE / "tasks" / "mpra" / f"griesemer_{cell}_log2fc.tsv", sep="\t")
        part = pd.DataFrame(
            {
                "mpra_variant_id": table.oligo_id,
                f"log2FoldChange_Skew_{cell}": table.log2FoldChange_alt - table.log2FoldChange_ref,
                f"log2FoldChange_Ref_{cell}": table.log2FoldChange_ref,
                f"log2FoldChange_Alt_{cell}": table.log2FoldChange_alt,
            }
        )
        wide = part if wide is None else wide.merge(part, on="mpra_variant_id", how="outer")
    values = gzip.compress(wide.to_csv(sep="\t", index=False).encode(), mtime=0)
    oligos = pd.read_csv(SAMPLE / "tasks" / "mpra" / "griesemer_oligo_info.tsv", sep="\t")
    oligo_path = folder / "griesemer_oligo_info.tsv"
    oligos.rename(columns={"oligo_id": "mpra_variant_id"}).to_csv(oligo_path, sep="\t", index=False)
    return values, oligo_path


def gnomad_per_chromosome(folder: Path) -> dict[str, tuple[bytes, bytes]]:
    """The sample gnomAD VCF split into one bgzipped, tabix-indexed VCF per chromosome (the v4.1 layout)."""
    out = {}
    with pysam.VariantFile(str(SAMPLE / "tasks" / "variants" / "gnomad.vcf.gz")) as src:
        records = list(src)
        for chrom in sorted({r.chrom for r in records}):
            path = folder / f"gnomad.{chrom}.vcf.gz"
            with pysam.VariantFile(str(path), "wz", header=src.header) as dst:
                for record in records:
                    if record.chrom == chrom:
                        dst.write(record)
            pysam.tabix_index(str(path), preset="vcf", force=True)
            out[chrom] = (path.read_bytes(), Path(f"{path}.tbi").read_bytes())
    return out


def encode_eclip(files: dict[str, bytes]) -> bytes:
    """ENCODE metadata.tsv rows for the sample's eCLIP experiments; each peak file at its portal path."""
    experiments = pd.read_csv(SAMPLE / "tasks" / "rbp" / "eclip_experiments.tsv", sep="\t")
    rows = []
    for exp in experiments.itertuples():
        data = (SAMPLE / "tasks" / "rbp" / exp.file).read_bytes()
        url = f"https://www.encodeproject.org/files/{exp.accession}/@@download/{exp.accession}.bed.gz"
        files[mirror_path(url)] = data
        rows.append(
            {
                "File accession": exp.accession,
                "File format": "bed narrowPeak",
                "Output type": "conservative IDR thresholded peaks",
                "Experiment target": f"{exp.rbp}-human",
                "Biosample term name": exp.cell_line,
                "File assembly": "GRCh38",
                "File download URL": url,
                "md5sum": md5(data),
            }
        )
    return pd.DataFrame(rows).to_csv(sep="\t", index=False).encode()


def phylop_bigwig(folder: Path) -> bytes:
    """The sample's PhyloP wiggle as a bigWig (chromosome sizes from the sample genome's .fai)."""
    import pyBigWig

    track = read_wiggle(SAMPLE / "tasks" / "conservation" / "phylop.wig.gz")
    sizes = [
        (line.split("\t")[0], int(line.split("\t")[1]))
        for line in (SAMPLE / "genome" / "genome.fa.gz.fai").read_text().splitlines()
    ]
    path = folder / "phylop.bw"
    bw = pyBigWig.open(str(path), "w")
    bw.addHeader(sizes)
    for chrom, _ in sizes:
        if chrom in track.data:
            pos, val = track.data[chrom]
            bw.addEntries([chrom] * len(pos), pos.tolist(), ends=(pos + 1).tolist(), values=val.tolist())
    bw.close()
    return path.read_bytes()


def build(real: Path, folder: Path, chromosomes: tuple[str, ...]) -> dict:
    """Files by server path, S3 objects by key, the test catalogue and the local Griesemer oligo table."""
    catalogue = yaml.safe_load(DEFAULT_CATALOGUE.read_text())
    by_name = {e["name"]: e for e in catalogue["sources"]}
    files: dict[str, bytes] = {}
    s3: dict[str, bytes] = {}

    def serve(name: str, data: bytes, listing: str | None = None) -> None:
        url = by_name[name]["url"]
        files[mirror_path(url)] = data
        if listing:
            files[mirror_path(by_name[name]["checksum_url"])] = _listing(data, Path(urlparse(url).path).name)

    serve("hg38_genome", (SAMPLE / "genome" / "genome.fa.gz").read_bytes(), "md5sum.txt")
    serve("gencode_gtf", (SAMPLE / "annotation" / "genes.gtf.gz").read_bytes(), "MD5SUMS")
    for chrom in chromosomes:
        files[mirror_path(MAF_URL.format(chrom=chrom))] = (
            SAMPLE / "alignments" / f"{chrom}.maf.gz"
        ).read_bytes()
    phylop = phylop_bigwig(folder)
    serve("phylop_241way", phylop)
    serve("phylop_100way", phylop, "md5sum.txt")
    variants = SAMPLE / "tasks" / "variants"
    serve("cadd_scores", (variants / "cadd_scores.tsv.gz").read_bytes(), ".md5")
    serve("cadd_scores_index", (variants / "cadd_scores.tsv.gz.tbi").read_bytes(), ".md5")
    serve("clinvar", (variants / "clinvar.vcf.gz").read_bytes(), ".md5")
    serve("cadd_simulated", (variants / "cadd_training" / "simulation_SNVs.vcf.gz").read_bytes())
    serve("cadd_human_derived", (variants / "cadd_training" / "humanDerived_SNVs.vcf.gz").read_bytes())
    serve(
        "eqtl_catalogue_datasets",
        b"study_id\tdataset_id\tstudy_label\tquant_method\n"
        b"QTS000001\tQTD000001\tsample\tge\nQTS000001\tQTD000002\tsample\ttxrev\n",
    )
    susie = "https://ftp.ebi.ac.uk/pub/databases/spot/eQTL/susie/QTS000001/QTD000001/QTD000001.credible_sets.tsv.gz"
    files[mirror_path(susie)] = (variants / "eqtl_catalogue_susie.tsv.gz").read_bytes()  # txrev: not fetched
    serve("encode_eclip_metadata", encode_eclip(files))
    serve("encode_rbns_metadata", b"File accession\tExperiment target\tFile download URL\tmd5sum\n")
    values, oligo_path = griesemer_tables(folder)
    serve("griesemer2021_values", values)
    siegel = pd.read_csv(SAMPLE / "tasks" / "mpra" / "siegel_3utr_oligos.tsv", sep="\t")
    serve(
        "siegel2022",
        gzip.compress(
            siegel[["sequence", "stability_Beas2B"]].to_csv(sep="\t", index=False, header=False).encode(),
            mtime=0,
        ),
    )
    serve("agarwal2022_half_life", (real / "saluki" / "agarwal2022_human_halflife_PC1.txt").read_bytes())
    serve("agarwal2022_folds", (real / "saluki" / "agarwal2022_binnedgenes.txt").read_bytes())
    for chrom, (vcf, tbi) in gnomad_per_chromosome(folder).items():
        for name, data in (("gnomad_genomes", vcf), ("gnomad_genomes_index", tbi)):
            s3[urlparse(by_name[name]["url"].format(chrom=chrom)).path.lstrip("/")] = data
    bucket = urlparse(by_name["gnomad_genomes"]["url"]).netloc
    for name in ("griesemer2021_values", "siegel2022"):  # their miniatures are not the published bytes
        for key in ("size", "sha256", "checksum_source"):
            by_name[name].pop(key, None)
    path = folder / "sources.yaml"
    path.write_text(yaml.safe_dump(catalogue, sort_keys=False))
    return {"files": files, "s3": s3, "bucket": bucket, "catalogue": path, "griesemer_oligos": oligo_path}
