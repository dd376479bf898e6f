"""ibtpost: supervision letters (IBT Spreidingswet) from YAML to Word and PDF."""

__version__ = "0.1.0"
