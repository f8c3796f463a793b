"""The Dagster glue: one module of assets (and one of quality-check declarations) per stage of the data flow.

What belongs here: asset and check definitions, thin bodies that read resources and settings, call a
domain function and publish its outputs with metadata. Not here: any computation a test would want to call
without dagster; that lives in the domain packages (reference, alignments, tasks, corpus, models,
scoring, evaluation). Only this package, `platform`, `automation` and `definitions` import dagster.
"""
