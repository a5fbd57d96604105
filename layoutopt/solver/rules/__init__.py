"""One module per rule family of docs/rules.md; each exposes ``build(model, v, ctx)``."""
