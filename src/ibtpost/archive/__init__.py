"""Records for the archive: the MDTO export (``ibtpost export mdto``) and the case file of a
municipality (``ibtpost case``). Both read what the register and the batch folders hold;
neither changes a letter."""
