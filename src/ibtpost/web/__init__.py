"""``ibtpost web``: the secretariat's and the reviewers' workplace in the browser.

A local web server (Starlette, served by uvicorn on 127.0.0.1) over the same library
functions the command line calls: no rule is implemented here that a command does not
share. The modules:

- ``server.py``   start-up: the per-launch token, the address, uvicorn
- ``security.py`` the guard in front of every request: Host allow-list, token, CSRF and
                  Origin/Sec-Fetch-Site checks on every POST, strict security headers
- ``jobs.py``     long work (batch, queue, send, proof) in a background thread per batch,
                  with progress the pages poll
- ``pages.py``    a PDF's pages as PNG images (pdftoppm), cached by the PDF's SHA-256
- ``warm.py``     LibreOffice converters kept running for fresh previews
- ``app.py``      the application: the route table, the guard, the error pages
- ``common.py``   what the screens share: the server's state, rendering, 404s, form errors
- ``words.py``    the web's words, in Dutch: parameters as form fields, next steps as
                  sentences with a link, every error from the Dutch catalogue
- ``crashes.py``  an unexpected failure: logged with its traceback under a reference the
                  page shows
- one module per screen: ``overview.py`` (Overzicht), ``batches.py`` (Batches and a
  batch), ``letters.py`` (Brief), ``dispatch.py`` (Verzenden), ``review.py``
  (Beoordelen), ``audit.py`` (Audit)
"""
