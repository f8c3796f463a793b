"""utr-assets: Dagster assets that benchmark DNA/RNA language models on human 3\x27UTRs."""
