#!/usr/bin/env bash
# tests/report/mermaid.sh OUTDIR FILE.md... — renders every ```mermaid block
# of the files with the real mermaid-cli (one Chromium for all: the blocks
# are gathered into OUTDIR/mermaid/all.md), and checks each rendered chart:
# an SVG for every block, an xychart and no Mermaid error, ddci's own
# colours in it.
# Prints one line per problem and "N blocks rendered, M problems".
# Called by run.sh (which installs mermaid-cli and sets CHROMIUM).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$1"
shift
m="$out/mermaid"
rm -rf "$m"
mkdir -p "$m"
for f in "$@"; do
	printf '\n# %s\n\n' "$(basename "$f")"
	cat "$f"
done >"$m/all.md"
blocks=$(grep -c '^```mermaid$' "$m/all.md")
cat >"$m/puppeteer.json" <<JSON
{"executablePath": "${CHROMIUM:-/usr/bin/chromium}",
 "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
          "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]}
JSON
problems=0
if ! "$here/node_modules/.bin/mmdc" -q -p "$m/puppeteer.json" -i "$m/all.md" -o "$m/out.md" -e svg >"$m/mmdc.log" 2>&1; then
	cat "$m/mmdc.log"
	echo "mmdc failed"
	problems=$((problems + 1))
fi
n=0
for i in $(seq 1 "$blocks"); do
	svg="$m/out-$i.svg"
	if [ ! -s "$svg" ]; then
		echo "block $i: no SVG"
		problems=$((problems + 1))
		continue
	fi
	n=$((n + 1))
	if ! grep -q 'aria-roledescription="xychart"' "$svg" || grep -qiE 'syntax error|parse error' "$svg"; then
		echo "block $i: Mermaid error (not an xychart)"
		problems=$((problems + 1))
	fi
	if ! grep -qiE '#0969da|#cf222e' "$svg"; then
		echo "block $i: not drawn in ddci's colours"
		problems=$((problems + 1))
	fi
done
echo "$n of $blocks blocks rendered, $problems problems"
[ "$problems" -eq 0 ]
