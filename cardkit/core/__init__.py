"""Shared basics every layer uses: findings and errors, safe reads and atomic writes, output formats.

Layer: the bottom. Imports only the standard library (and PyYAML/hashlib-level helpers); never
pydantic, torch, transformers or any other cardkit package, so everything above may import it.

- `findings`: `Finding`, `Severity`, `CardReport`, the one currency of every check.
- `errors`: the exceptions that reach the CLI as one-line messages (`UsageError`, ...).
- `safe_io`, `atomic`: bounded reads of regular files only; writes that keep modes and never leave
  half a file.
- `report`: findings printed as text, JSON or CI annotations.
- `isolation`, `gc_policy`: one input's failure kept to its own finding; the collector's settings.
- `cache`: the one cache root, code digest and bounded digest of inputs.
- `dependencies`: is an optional library installed (`require`, naming the extra) and which
  version (`version`, read once per process); the only place cardkit asks either.
- `citation`, `python_snippet`, `text_patterns`, `json_values`: small parsers shared by validate,
  lint and import.
- `hub_ids`: the Hub's licence ids as plain data (the schema and the pydantic-free lint/import
  paths share one set).
"""
