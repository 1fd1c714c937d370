"""`cardkit check`: a repository folder before upload (card, README beside it, config, weights).

Layer: orchestration over the public entry points of `cardkit.validate`, `cardkit.render`,
`cardkit.lint`, `cardkit.readme` and `cardkit.evaluation` (`.eval_results` against the README and
the card), on `cardkit.core`, `cardkit.card` and `cardkit.schema`; imports
no module-private names of theirs, never torch, transformers or the commands.
"""
