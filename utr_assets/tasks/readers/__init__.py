"""Readers of the published task files, one module per kind of file; each error names the file and line."""
