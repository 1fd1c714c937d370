"""Everything that imports torch or transformers, and nothing else does.

ruff's banned-module-level-imports rule (TID253) keeps `torch`, `transformers`, `safetensors`,
`accelerate` and `cardkit.model` itself out of every other module's top level: the rest of cardkit
imports this package inside the function that needs it, so schema checks, lint and render start
without torch.

- `model_config`: config.json through transformers' own config classes (aliases, defaults).
- `meta_model`, `architecture_facts` (with `architecture_modules`, `architecture_attention`,
  `architecture_mlp`), `block_trace`: the architecture built on the meta device and the facts read
  from it (exact parameter count, layers, attention, experts).
- `checkpoint` (with `checkpoint_inventory`, `checkpoint_compare`), `checkpoint_files`,
  `expected_state`, `bin_checkpoint`, `safetensors_header`: which weight files transformers would
  load, what their headers say and the tensors the architecture expects of them.
- `loaded_model`, `smoke_test`: the checkpoint loaded for real and a generation from it.

Layer: may import `cardkit.core` and `cardkit.card`; never validate, lint, import or render. It
counts (parameters built, stored, loaded); `cardkit.validate.parameters` gives the verdict.
"""
