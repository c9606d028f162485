# man/tidy.awk — post-processes scdoc's roff so `mandoc -T lint` is clean
# and options copy-paste:
#  - drops the paragraph macros scdoc emits where they do nothing (right
#    after .TH/.SH/.SS/.P, or right before .SH/.SS/.P/.RE/.TS or the end),
#    which mandoc reports as "skipping paragraph macro"; a ".P" just
#    before ".RE" moves after it, keeping the blank line between entries;
#  - adds "ddci VERSION" (-v version=...) and the manual's name to .TH,
#    and repeats .nh/.ad l after it (groff's .TH resets them: no hyphens
#    inside option names);
#  - writes every "-" in text as "\-" so groff's UTF-8 output keeps ASCII
#    minus signs in options and commands ("--service", not "‐‐service").
# scdoc 1.11.3 (Debian 13) writes ".PP" where 1.11.2 wrote ".P": the same macro.
{ line[NR] = ($0 == ".PP" ? ".P" : $0) }
END {
	for (i = 1; i < NR; i++)
		if (line[i] == ".P" && line[i + 1] == ".RE") {
			line[i] = ".RE"
			line[i + 1] = ".P"
		}
	prev = ""
	for (i = 1; i <= NR; i++) {
		l = line[i]
		if (l == ".P") {
			nxt = (i < NR) ? line[i + 1] : ""
			if (prev ~ /^\.(TH|SH|SS|P$|PP)/ || i == NR ||
			    nxt ~ /^\.(SH|SS|P$|PP|TS)/)
				continue
		}
		if (l ~ /^\.TH / && version != "")
			l = l " \"ddci " version "\" \"ddci manual\""
		if (l !~ /^[.']/) {
			out = ""
			n = length(l)
			for (j = 1; j <= n; j++) {
				c = substr(l, j, 1)
				if (c == "\\") {
					out = out c substr(l, j + 1, 1)
					j++
					continue
				}
				out = out (c == "-" ? "\\-" : c)
			}
			l = out
		}
		print l
		prev = l
		if (l ~ /^\.TH /)
			print ".nh\n.ad l"
	}
}
