#!/bin/sh
# mk/version.sh — the version ddci reports (--version, User-Agent, man pages,
# packages): VERSION as written for the release commit (tag v<VERSION>) and
# for a tarball; "+g<commit>" added when built from any other commit of a
# git checkout, and ".dirty" with uncommitted changes, so a build with
# unreleased changes never claims to be the release.
base=$(cat VERSION 2>/dev/null || echo 0.0.0)
top=$(git rev-parse --show-toplevel 2>/dev/null) || { echo "$base"; exit 0; }
# Only this source tree's own repository (not a checkout it was unpacked in).
[ "$(cd "$top" && pwd -P)" = "$(pwd -P)" ] || { echo "$base"; exit 0; }
head=$(git rev-parse -q --verify HEAD 2>/dev/null) || { echo "$base"; exit 0; }
commit="+g$(git rev-parse --short=12 "$head")"
tag=$(git rev-parse -q --verify "refs/tags/v$base^{commit}" 2>/dev/null)
[ "$tag" = "$head" ] && suffix= || suffix=$commit
git update-index -q --refresh >/dev/null 2>&1
git diff-index --quiet HEAD -- 2>/dev/null || suffix="${suffix:-$commit}.dirty"
echo "$base$suffix"
