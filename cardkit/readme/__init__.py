"""Reading an existing README: its front matter, its Markdown as a document, and the claims in it.

Used by lint (what is wrong with it), import (what a card can take from it) and check (whether the
README beside a card is the one render would write). Never writes anything.

- `frontmatter`: the one split of YAML front matter from the body, by huggingface_hub's pattern.
- `document`: lines, headings, code blocks, links and tables with their line numbers; `scrape`
  finds the code in a plain-text scrape, where every fence was lost.
- `identity`, `tables`, `claims`, `numbers`: repo ids, Markdown tables, the facts a README states,
  and its architecture figures read against config.json.
- `files`: the README and `--config` as files, config.json through validate's one reader.

Layer: imports `cardkit.core` and `cardkit.card`; never pydantic, torch or transformers (lint
starts in a fraction of a second), never lint rules, import, render or validate.
"""
