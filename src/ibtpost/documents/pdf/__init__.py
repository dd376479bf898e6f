"""PDFs: finishing a letter (metadata, PDF/A checks), the fast incremental update, reading
page text from content streams, the print file and the review stamp."""
