"""ibtpost: supervision letters (interbestuurlijk toezicht, Spreidingswet) from YAML to Word and PDF."""

__version__ = "0.1.0"
