"""Draft cards from what a repository already has: a README (`readme`) or a config.json folder
(`new_card`). A draft is YAML text with TODO markers, never a file written behind the user's back.

Layer: imports `cardkit.core`, `cardkit.card`, `cardkit.schema`, `cardkit.readme`, `cardkit.lint`
(the README's damage, the number readers), `cardkit.validate` (the facts cache) and `cardkit.model`
only inside functions (a config folder's architecture facts); never render or the commands.
"""
