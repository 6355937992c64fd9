"""Search backends: one protocol (base.py), the embedded local one, OpenSearch later."""
