"""Reference domain: genome FASTA access, annotation parsing, human 3'UTR selection (no dagster here)."""
