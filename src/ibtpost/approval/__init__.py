"""Letter versions and the approval gate: what lawyers approve is what goes out."""
