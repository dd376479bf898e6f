"""The reviewers' tools: ``check``, the checks on a generated letter, review copies
(preview, proof, edge cases) and ``diff``."""
