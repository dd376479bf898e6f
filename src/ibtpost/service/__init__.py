"""The application layer: one function per use case (make a batch, queue, send, withdraw,
post, reply, approve, preview, proof, import, status, report), each returning data (results
and the read models the screens show) and reporting progress through a callback. The
command line and ``ibtpost web`` only parse input and format output around these."""
