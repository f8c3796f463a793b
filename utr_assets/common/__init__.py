"""Helpers every layer may use and that belong to no domain: text input with clear errors (`textio`,
`errors`), atomic output sets (`outputs`), progress reporting (`progress`), sequence helpers
(`sequences`), the model slug rule (`slugs`).

What does not belong here: anything that knows about a task, a model family, dagster or torch.
"""
