"""The card on disk: where cards are (`paths`), how their YAML is read with lines kept
(`yaml_prescan`, `yaml_source`), loaded into the schema (`load`) and written back (`dump`), the
bounded reader of the config.json beside it (`config_json`) and what that file states literally,
without transformers (`config_facts`: the one table lint, import and `validate --no-model` share).

Layer: imports `cardkit.core` and `cardkit.schema` (pydantic, only in `load` and `dump`); never
torch or transformers, never validate, lint, import or render.
"""
