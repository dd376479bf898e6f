"""The letter texts, pure: YAML sources, definitions and mandatory blocks, the text engine,
composing a letter, terms, Dutch wording and dates, the ladder. No files written, no
register, no LibreOffice."""
