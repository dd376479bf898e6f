"""Documents: the Word file rendered (docxtpl), converted by LibreOffice (a pool of UNO
converters), and the PDF finished, read, joined and stamped (``pdf/``)."""
