"""The shared kernel every stage builds on: errors, the clock, files, fail points, register
records, validation, the YAML source, Dutch wording and the domain's data."""
