"""Spec files of the networks that ship with the tool (the seed's is ``xnor.toml``)."""
