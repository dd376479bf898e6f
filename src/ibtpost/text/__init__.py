"""The letter texts, pure: definitions (the node tree) and mandatory blocks, the text engine,
composing a letter (the composed tree), word diffs. No files written, no register, no
LibreOffice."""
