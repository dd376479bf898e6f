#!/usr/bin/env bash
# The demo: validate the shipped data, then produce the reference letter (trede 2,
# Vlaardingen, Onze referentie 7468089) and letters for a handful of other municipalities
# (sample figures: their pages carry VOORBEELD) into outbox/demo/.
set -euo pipefail
ibtpost=${1:-ibtpost}
out=outbox/demo
"$ibtpost" check | tail -n 1
"$ibtpost" letter trede-2 --municipality GM0622 --date 2026-04-09 --reference 7468089 --out "$out"
for m in "'s-Hertogenbosch" "Súdwest-Fryslân" "Den Haag" "Tubbergen" "Nuenen, Gerwen en Nederwetten"; do
  "$ibtpost" letter trede-2 --municipality "$m" --date 2026-04-09 --out "$out"
done
echo
echo "The letters are in $out/ (Word and PDF/A). Next: open $out/7468089-vlaardingen.pdf"
