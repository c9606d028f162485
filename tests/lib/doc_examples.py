#!/usr/bin/env python3
"""tests/lib/doc_examples.py FILE... — every command line the docs show, one
JSON object a line: {"src": "README.md:46", "cmd": "...", "comment": "...",
"ci": "none|github|gitlab|jenkins", "block": "README.md:43", "setup": bool}
(setup: a GitHub block that runs the ddci setup action first).

README.md: every line of the ```sh blocks (continuations joined, comment-only
lines skipped, a trailing "# comment" kept apart).  A man page (man/*.scd):
the shell commands in its ``` blocks, taken out of the YAML or Groovy around
them (`run: X`, `- X`, `sh 'X'`); the CI a block is for is read from it.
Used by tests/check/doc-examples.sh, so a README line cannot drift from what
the commands do.
"""
import json
import re
import sys


def split_comment(line):
    """(command, comment): the comment starts at an unquoted ' #'."""
    quote = None
    for i, c in enumerate(line):
        if quote:
            if c == quote:
                quote = None
            elif c == "\\" and quote == '"':
                continue
        elif c in "'\"":
            quote = c
        elif c == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i].rstrip(), line[i + 1:].strip()
    return line.rstrip(), ""


def blocks(path):
    """(first line number, language, [(line number, text)]) per fenced block."""
    out, cur, lang, start = [], None, "", 0
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if line.lstrip().startswith("```"):
                if cur is None:
                    cur, lang, start = [], line.strip()[3:].strip(), n
                else:
                    out.append((start, lang, cur))
                    cur = None
            elif cur is not None:
                cur.append((n, line))
    return out


def ci_of(text):
    if re.search(r"^\s*(- )?(run|uses):", text, re.M):
        return "github"
    if re.search(r"^\s*script:", text, re.M):
        return "gitlab"
    if re.search(r"\bstage\(|\bsteps \{", text):
        return "jenkins"
    return "none"


def shell_lines(lines):
    """Joins continuation lines; yields (number, command, comment)."""
    pending, first = "", 0
    for n, text in lines:
        if not pending and not text.strip():
            continue
        if not pending:
            first = n
        if text.rstrip().endswith("\\"):
            pending += text.rstrip()[:-1].rstrip() + " "
            continue
        full = (pending + text.strip()).strip()
        pending = ""
        cmd, comment = split_comment(full)
        if cmd:
            yield first, cmd, comment


def from_yaml_or_groovy(text):
    """The shell command in a line of a CI file, or None."""
    s = text.strip()
    m = re.match(r"^(?:- )?run:\s*(.+)$", s)
    if m:
        return m.group(1)
    m = re.match(r"^sh\s+'(.+)'\s*$", s)
    if m:
        return m.group(1)
    m = re.match(r"^-\s+(\S.*)$", s)
    if m and re.match(r"^(ddci|\./)", m.group(1)):
        return m.group(1)
    return None


def main(paths):
    for path in paths:
        name = "/".join(path.split("/")[-2:]) if "/man/" in path or path.startswith("man/") else path.split("/")[-1]
        for start, lang, lines in blocks(path):
            block = "%s:%d" % (name, start)
            if path.endswith(".md"):
                if lang not in ("sh", "bash", "shell"):
                    continue
                for n, cmd, comment in shell_lines(lines):
                    print(json.dumps({"src": "%s:%d" % (name, n), "cmd": cmd, "comment": comment,
                                      "ci": "none", "block": block}))
                continue
            text = "\n".join(t for _, t in lines)
            ci = ci_of(text)
            setup = "actions/setup" in text  # sets DDCI_JOB_STARTED_AT
            for n, text in lines:
                cmd = from_yaml_or_groovy(text)
                if cmd:
                    cmd, comment = split_comment(cmd)
                    print(json.dumps({"src": "%s:%d" % (name, n), "cmd": cmd, "comment": comment, "ci": ci,
                                      "block": block, "setup": setup}))


if __name__ == "__main__":
    main(sys.argv[1:])
