"""Draft cards from what a repository already has: a README (`readme`) or a config.json folder
(`new_card`). A draft is YAML text with TODO markers, never a file written behind the user's back.

Layer: imports `cardkit.core`, `cardkit.card`, `cardkit.readme`, `cardkit.schema` (`new_card`
only: the README importer, `readme` and the modules it is split into, loads no pydantic),
`cardkit.validate` (`new_card`: the facts cache) and `cardkit.model` only inside functions (a config
folder's architecture facts); never lint, render or the commands.
"""
