"""`cardkit check`: a repository folder before upload (card, README beside it, config, weights).

Layer: orchestration over the public entry points of validate, render and readme; imports no
module-private names of theirs.
"""
