"""The sources catalogue: schema rules, the bundled data/sources.yaml, checksum listings."""

from __future__ import annotations

import pytest
import yaml

from utr_assets.settings import load_settings
from utr_assets.sources import CatalogueError, SourceEntry, load_catalogue
from utr_assets.sources.checksums import find_checksum


def test_bundled_catalogue_is_valid_and_feeds_real_settings_keys():
    catalogue = load_catalogue()
    settings = load_settings("paper", "")
    for entry in catalogue:
        if entry.feeds:
            section, key = entry.feeds.split(".")
            assert key in type(getattr(settings, section)).model_fields, entry.name
        assert entry.licence, entry.name
        if entry.kind == "manual":
            assert entry.notes.startswith("Manual - "), f"{entry.name}: a manual source says why"
        if entry.sha256 or entry.size:
            assert entry.checksum_source, f"{entry.name}: a pinned value must say where it comes from"
        assert entry.expected_size is not None, f"{entry.name}: the plan needs a size or an estimate"
        if entry.approx_size is not None and entry.size is None:
            assert entry.size_note and "estimate" in entry.size_note, entry.name


def test_every_bundled_url_names_where_it_was_confirmed():
    from utr_assets.sources.catalogue import DEFAULT_CATALOGUE

    lines = DEFAULT_CATALOGUE.read_text().splitlines()
    urls = [i for i, line in enumerate(lines) if line.strip().startswith("url:")]
    assert len(urls) >= 15
    for i in urls:
        before = lines[max(0, i - 4) : i]
        assert any("# confirmed:" in line for line in before), f"line {i + 1}: {lines[i].strip()}"


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"url": "gopher://x/y"}, "unsupported URL scheme"),
        ({"url": "https://x/{chrom}.vcf.gz", "size": 10}, "per-chromosome URL cannot pin"),
        ({"url": "https://x/{sample}.vcf.gz"}, "only the {chrom} placeholder"),
        ({"url": "https://x/a", "sha256": "abc"}, "64 lower-case hex"),
        ({"url": "s3://b/k", "storage_options": {"secret": "s"}}, "credentials come from the environment"),
        ({}, "needs `notes`"),
        ({"derive": "hal2maf"}, "needs `derived_from`"),
    ],
)
def test_entry_rules(bad, message):
    with pytest.raises(ValueError, match=message):
        SourceEntry.model_validate({"name": "x", "title": "t", **bad})


def test_catalogue_errors_name_the_file_and_entry(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text(
        yaml.safe_dump({"sources": [{"name": "a", "title": "t", "url": "https://x/a", "md5": "zz"}]})
    )
    with pytest.raises(CatalogueError, match=r"sources\.yaml: source 'a': md5"):
        load_catalogue(path)
    path.write_text(yaml.safe_dump({"sources": [{"name": "a", "title": "t", "url": "https://x/a"}] * 2}))
    with pytest.raises(CatalogueError, match="listed twice"):
        load_catalogue(path)
    path.write_text(
        yaml.safe_dump(
            {"sources": [{"name": "m", "title": "t", "derive": "hal2maf", "derived_from": "nope"}]}
        )
    )
    with pytest.raises(CatalogueError, match="unknown 'nope'"):
        load_catalogue(path)


def test_per_chromosome_expansion():
    catalogue = load_catalogue()
    files = catalogue.files("gnomad_genomes", ["chr21", "chrX"])
    assert [f.filename for f in files] == [
        "gnomad.genomes.v4.1.sites.chr21.vcf.bgz",
        "gnomad.genomes.v4.1.sites.chrX.vcf.bgz",
    ]
    assert catalogue.files("griesemer2021_oligos") == [] and catalogue["zoonomia_maf"].kind == "derived"


def test_checksum_listings():
    md5 = "0" * 31 + "1"
    sha = "a" * 64
    assert find_checksum(f"{md5}  ./data/hg38.fa.gz\n{'2' * 32}  other.gz\n", "hg38.fa.gz") == md5
    assert find_checksum(f"{sha} *file.bin\n", "file.bin") == sha
    assert find_checksum(f"MD5 (clinvar.vcf.gz) = {md5}\n", "clinvar.vcf.gz") == md5
    assert find_checksum(f"{md5}\n", "anything") == md5  # a bare .md5 sidecar
    assert find_checksum(f"{md5}  other.gz\n", "hg38.fa.gz") is None


def test_hal2maf_missing_tool_is_a_clear_error(tmp_path, monkeypatch):
    from utr_assets.sources import hal

    monkeypatch.setattr(hal.shutil, "which", lambda _: None)
    with pytest.raises(hal.ToolMissing, match="hal2maf is not installed"):
        hal.export_maf(tmp_path / "a.hal", "chr1", tmp_path / "chr1.maf.gz")
    assert hal.hal2maf_command("a.hal", "chr1", "o.maf")[:3] == ["hal2maf", "a.hal", "o.maf"]


def test_hal2maf_export_runs_the_tool_and_gzips(tmp_path, monkeypatch):
    import gzip
    import os

    from utr_assets.sources import hal

    tool = tmp_path / "bin" / "hal2maf"
    tool.parent.mkdir()
    tool.write_text('#!/bin/sh\nprintf "##maf version=1\\n# %s\\n" "$*" > "$2"\n')
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tool.parent}{os.pathsep}{os.environ['PATH']}")
    (tmp_path / "z.hal").write_bytes(b"HDF")
    out = hal.export_maf(tmp_path / "z.hal", "chr22", tmp_path / "chr22.maf.gz")
    text = gzip.decompress(out.read_bytes()).decode()
    assert text.startswith("##maf") and "--refSequence chr22 --noAncestors" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "chr22.maf.gz", "z.hal"]


def test_hal2maf_exports_only_the_3utr_intervals_with_ref_targets(tmp_path, monkeypatch):
    import gzip
    import os

    import pandas as pd

    from utr_assets.sources import hal
    from utr_assets.sources.prepare import merged_intervals, write_bed

    tool = tmp_path / "bin" / "hal2maf"
    tool.parent.mkdir()
    # the fake tool records its arguments and the BED it was given
    tool.write_text('#!/bin/sh\n{ printf "##maf version=1\\n# %s\\n" "$*"; cat "$6"; } > "$2"\n')
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tool.parent}{os.pathsep}{os.environ['PATH']}")
    (tmp_path / "z.hal").write_bytes(b"HDF")
    regions = pd.DataFrame(
        {"chrom": ["chr22", "chr22", "chr1"], "start": [500, 100, 7], "end": [900, 600, 9]}
    )
    bed = write_bed(merged_intervals(regions, "chr22"), tmp_path / "chr22.utr3.bed")
    out = hal.export_maf(tmp_path / "z.hal", "chr22", tmp_path / "chr22.maf.gz", targets=bed)
    text = gzip.decompress(out.read_bytes()).decode()
    assert (
        f"--refGenome Homo_sapiens --refTargets {bed} --noAncestors" in text and "--refSequence" not in text
    )
    assert text.endswith("chr22\t100\t900\n")  # overlapping 3'UTRs merged; other chromosomes left out
