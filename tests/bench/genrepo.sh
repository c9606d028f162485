#!/usr/bin/env bash
# tests/bench/genrepo.sh DIR [COMMITS] — a repository with COMMITS (default
# 50000) commits on main, made in seconds with `git fast-import`: each commit
# changes one of 2,000 files in 40 directories.  Also: tag `base` at
# COMMITS-5000 (a 5,000-commit range base..main), branch `feature` forked at
# COMMITS-1000 with 200 commits of its own, checked out on main, and an
# `origin` remote.
set -euo pipefail
dir=$1
n=${2:-50000}
rm -rf "$dir"
git init -q -b main "$dir"
awk -v n="$n" 'BEGIN {
	t = 1700000000
	for (i = 1; i <= n; i++) {
		printf "commit refs/heads/main\nmark :%d\n", i
		printf "author Dev %d <dev%d@example.com> %d +0000\n", i % 17, i % 17, t + i * 60
		printf "committer Dev %d <dev%d@example.com> %d +0000\n", i % 17, i % 17, t + i * 60
		msg = sprintf("change %d\n", i)
		printf "data %d\n%s", length(msg), msg
		if (i > 1)
			printf "from :%d\n", i - 1
		body = sprintf("line %d\n", i)
		printf "M 100644 inline src/d%02d/f%04d.c\ndata %d\n%s\n", i % 40, i % 2000, length(body), body
		if (i == n - 5000)
			printf "reset refs/tags/base\nfrom :%d\n\n", i
		if (i == n - 1000)
			fork = i
	}
	for (j = 1; j <= 200; j++) {
		m = n + j
		printf "commit refs/heads/feature\nmark :%d\n", m
		printf "author Dev 1 <dev1@example.com> %d +0000\n", t + (fork + j) * 60 + 30
		printf "committer Dev 1 <dev1@example.com> %d +0000\n", t + (fork + j) * 60 + 30
		msg = sprintf("feature %d\n", j)
		printf "data %d\n%s", length(msg), msg
		printf "from :%d\n", (j == 1 ? fork : m - 1)
		body = sprintf("feature %d\n", j)
		printf "M 100644 inline feature/f%03d.c\ndata %d\n%s\n", j, length(body), body
	}
}' | git -C "$dir" fast-import --quiet
git -C "$dir" checkout -q main 2>/dev/null || git -C "$dir" reset -q --hard main
git -C "$dir" remote add origin https://github.com/acme/big.git
# One pack, as a clone would have it.
git -C "$dir" repack -adq
