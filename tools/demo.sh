#!/usr/bin/env bash
# The demo, on the shipped data (sample figures for all but Vlaardingen: their letters carry
# VOORBEELD on every page):
#   1. validate config/, letters/ and templates/: trede 2 awaits the approval of a named
#      reviewer (its e-mail text changed), so the shipped root makes only concepts of it;
#   2. the demo therefore runs in a root of its own, outbox/demo-root/ (a copy of config/,
#      letters/ and templates/), where a demo reviewer "Demo-jurist (niet geldig, demo)"
#      approves trede 2 with `ibtpost approve`, as a lawyer would in the real root;
#   3. reproduce the reference letter (trede 2, Vlaardingen, Onze referentie 7468089) into
#      outbox/demo/;
#   4. show how many municipalities are due for a letter;
#   5. produce the trede-2 batch for all of them into outbox/demo-root/outbox/<batch-id>/;
#   6. preview the draft trede-3 letter for two municipalities as a CONCEPT batch, and the
#      draft voornemen (trede 4) of Vlaardingen as a CONCEPT batch with its kennisgeving;
#   7. queue the trede-2 batch for e-mail (each message frozen in the batch's spool/) and send
#      it with the file transport (.eml files in the batch folder: nothing leaves the
#      machine), write the delivery report, show the outbox, verify the audit trail;
#   8. record that the post room sent the reference letter too, and make a herstel of it
#      (a CONCEPT) that cites it by date and onze referentie;
#   9. the records for the archive: the batch with MDTO metadata in outbox/archive/, and the
#      case file of Vlaardingen in outbox/demo-root/outbox/cases/GM0622/case-file/;
#  10. the e-seal: a demo certificate marked "niet geldig, demo" (tools/demo_seal.py) and a
#      sealed trede-2 batch for two municipalities in a root of its own, outbox/demo-sealed/
#      (a copy of the demo root's config/ with `signing:` added), checked as `queue` checks
#      it, and pdfsig's report on one sealed letter.
# Run again, it gives the same numbers, converts nothing and sends nothing twice. Remove
# outbox/demo-root/ (or all of outbox/) to start afresh from the shipped files.
set -euo pipefail
ibtpost=${1:-ibtpost}
day=2026-04-09
"$ibtpost" check | grep -E "^error|letters/trede-2.yaml|error\(s\)" | cut -c1-160

demo=outbox/demo-root
if [ ! -d "$demo/config" ]; then
  mkdir -p "$demo/outbox"
  cp -r config letters templates "$demo/"
fi
"$ibtpost" --root "$demo" approve trede-2 --by "Demo-jurist (niet geldig, demo)" \
  --note "approved in the demo's own root to show the whole flow; not a legal approval" | head -n 1
export IBTPOST_ROOT=$demo
"$ibtpost" letter trede-2 --municipality GM0622 --date "$day" --reference 7468089 --out outbox/demo
"$ibtpost" status --date "$day" --due | tail -n 1
batch=$("$ibtpost" batch trede-2 --date "$day")
"$ibtpost" batch trede-3 --date 2026-05-04 --concept -m Vlaardingen -m "'s-Hertogenbosch" \
  --reason "preview of the draft text" >/dev/null
voornemen=$("$ibtpost" batch trede-4 --date 2026-06-01 --concept -m Vlaardingen \
  --reason "preview of the draft voornemen")
"$ibtpost" queue "$(basename "$batch")"
env -u IBTPOST_SMTP_URL "$ibtpost" send --batch "$(basename "$batch")" | tail -n 2
"$ibtpost" report "$(basename "$batch")" >"$batch/report.csv"
"$ibtpost" outbox
"$ibtpost" audit verify
"$ibtpost" export mdto "$(basename "$batch")" --out "outbox/archive/$(basename "$batch")" 2>&1 >/dev/null | tail -n 1
# the post room sends the reference letter by post too: it now counts as sent, and a herstel
# of it can be made (a concept: the herstel is a draft), citing it by date and reference
"$ibtpost" post "$(basename "$batch")" -r 7468089 --date 2026-04-10 2>/dev/null | tail -n 1 ||
  echo "7468089 was recorded as posted before"
printf '%s\n' "Voorbeeldtekst (demo): hier staat wat de herstelbrief herstelt, per zaak geschreven" \
  "en vastgelegd met ibtpost motivering." >"$demo/herstel-7468089.md"
"$ibtpost" motivering 7468089 --part herstel --file "$demo/herstel-7468089.md" --by "demo"
herstel=$("$ibtpost" batch herstel --corrects 7468089 --date 2026-04-20 --concept 2>/dev/null)
"$ibtpost" case GM0622 >/dev/null

sealed=outbox/demo-sealed
if [ ! -f "$sealed/pki/seal.p12" ]; then
  "$(dirname "$ibtpost")/python" tools/demo_seal.py --out "$sealed/pki" --password demo >/dev/null
fi
if [ ! -d "$sealed/config" ]; then
  mkdir -p "$sealed/outbox"
  cp -r "$demo/config" "$demo/letters" "$demo/templates" "$sealed/"
  cat >>"$sealed/config/settings.yaml" <<'YAML'

signing:
  pkcs12: pki/seal.p12
  trust_roots: pki/ca.pem
  reason: Demozegel (niet geldig, demo)
  location: Den Haag
YAML
fi
export IBTPOST_SEAL_PASSWORD=demo
sealed_batch=$("$ibtpost" --root "$sealed" batch trede-2 --date "$day" -m Vlaardingen -m "'s-Hertogenbosch")
"$ibtpost" --root "$sealed" check --batch "$(basename "$sealed_batch")" | tail -n 1
pdfsig -nocert "$(ls "$sealed_batch"/75*.pdf | head -n 1)" | grep -E "Signer Certificate Common Name|Signature Validation|Total document"
echo
echo "The reference letter is in outbox/demo/; the trede-2 batch is in $batch/"
echo "(its e-mails as queued in $batch/spool/, as sent in $batch/mail/, the delivery report"
echo " in $batch/report.csv)"
echo "(manifest.csv lists every letter; print.pdf holds them all for printing, post-room.pdf"
echo " the ones without a known e-mail address, if any)."
echo "The draft voornemen (trede 4) of Vlaardingen, a CONCEPT, is in $voornemen/, with its"
echo " kennisgeving for the Staatscourant beside it (*-kennisgeving.pdf)."
echo "A herstel of 7468089 (a CONCEPT: the herstel is a draft) is in $herstel/."
echo "The batch with its MDTO metadata is in outbox/archive/; Vlaardingen's case file in"
echo " $demo/outbox/cases/GM0622/case-file/ (case-file.pdf: the dossier, opening with its"
echo " inventarislijst, then the numbered documents, a chronology and the delivery report)."
echo "A sealed batch (demo seal, not valid) is in $sealed_batch/; its certificates in $sealed/pki/."
echo "All of it ran in the demo root $demo/: look at it with"
echo " ibtpost --root $demo web   (or: export IBTPOST_ROOT=$demo)"
echo "Next: ibtpost --root $demo status --date 2026-05-04, or ibtpost --root $demo post $(basename "$batch") once posted."
