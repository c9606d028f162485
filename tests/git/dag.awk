# tests/git/dag.awk — a random commit graph as a `git fast-import` stream.
#   awk -v seed=S -v n=N -v skew=K -f dag.awk | git fast-import
# N commits (marks :1..:N): each has a first parent among the recent
# commits (so branches form), sometimes a second one (a merge), rarely none
# (another root).  Committer dates rise by 100 s, except that a commit is
# dated before its parents with probability K/100 and, when K > 0, one run of
# six commits on a side branch is all dated long ago (clock skew, as in
# finding 7).  Each commit changes one or two files, sometimes renames or
# deletes one.  refs/heads/main points at :N, refs/heads/b<i> at a few others.
function pick_file(c,    k, n, arr) {
	n = split(files[c], arr, " ")
	return n ? arr[int(rand() * n) + 1] : ""
}
function without(list, f,    out, k, n, arr) {
	n = split(list, arr, " ")
	out = ""
	for (k = 1; k <= n; k++)
		if (arr[k] != f)
			out = out (out == "" ? "" : " ") arr[k]
	return out
}
BEGIN {
	srand(seed)
	t = 1700000000
	oldrun = skew > 0 ? int(n / 3) + int(rand() * (n / 3)) : -1
	for (i = 1; i <= n; i++) {
		p1 = 0; p2 = 0
		if (i > 1 && rand() > 0.04) {
			back = int(rand() * rand() * (i - 1)) + 1
			p1 = i - back
			if (i > 3 && rand() < 0.25) {
				p2 = int(rand() * (i - 1)) + 1
				if (p2 == p1)
					p2 = 0
			}
		}
		date = t + i * 100
		if (rand() * 100 < skew)
			date -= int(rand() * 5000)
		if (oldrun > 0 && i >= oldrun && i < oldrun + 6) {
			p1 = i == oldrun ? int(oldrun / 2) : i - 1
			p2 = 0
			date = t - 100000 + i
		}
		if (!p1 && i > 1)
			printf "reset refs/heads/work\n\n"
		printf "commit refs/heads/work\nmark :%d\n", i
		printf "committer Dev <dev@example.com> %d +0000\n", date
		printf "data %d\nc%d\n", length("c" i) + 1, i
		if (p1)
			printf "from :%d\n", p1
		if (p2)
			printf "merge :%d\n", p2
		files[i] = p1 ? files[p1] : ""
		nf = int(rand() * 2) + 1
		for (k = 0; k < nf; k++) {
			f = "d" int(rand() * 3) "/f" int(rand() * 12)
			printf "M 100644 inline %s\ndata %d\n%s %d\n", f, length(f " " i) + 1, f, i
			if (index(" " files[i] " ", " " f " ") == 0)
				files[i] = files[i] (files[i] == "" ? "" : " ") f
		}
		r = rand()
		if (r < 0.1 && (f = pick_file(i)) != "") {
			g = "r" int(rand() * 5) "/" substr(f, 4)
			if (index(" " files[i] " ", " " g " ") == 0) {
				printf "R %s %s\n", f, g
				files[i] = without(files[i], f) " " g
			}
		} else if (r < 0.18 && (f = pick_file(i)) != "") {
			printf "D %s\n", f
			files[i] = without(files[i], f)
		}
		printf "\n"
	}
	printf "reset refs/heads/main\nfrom :%d\n\n", n
	for (b = 1; b <= 3; b++)
		printf "reset refs/heads/b%d\nfrom :%d\n\n", b, int(rand() * n) + 1
	printf "reset refs/heads/work\nfrom :%d\n\n", n
}
