"""The card on disk: where cards are (`paths`), how their YAML is read with lines kept
(`yaml_prescan`, `yaml_source`), loaded into the schema (`load`) and written back (`dump`), and the
bounded reader of the config.json beside it (`config_json`).

Layer: imports `cardkit.core` and `cardkit.schema` (pydantic, only in `load` and `dump`); never
torch or transformers, never validate, lint, import or render.
"""
