"""docs_check.py - what test/docs.sh reads out of the Markdown files (run by /usr/bin/python3).

  docs_check.py links ROOT FILE...   every relative link of FILEs (paths from ROOT) that does
                                     not resolve, one line each: FILE:LINE: LINK: why
  docs_check.py options FILE         every option documented in FILE's option tables, one
                                     line each: PROGRAM<TAB>SIGNATURE (e.g. "-a, --addr HOST")
  docs_check.py builds FILE...       every command of the fenced blocks marked
                                     <!-- build-commands ... -->, one line each:
                                     FILE:LINE<TAB>COMMAND<TAB>its # comment

Links follow GitHub's rules: a path is relative to the file's folder (or, starting with /,
to the top of the tree), and #anchor names a heading of the target Markdown file, made as
GitHub makes it: the heading's text without its markup, lower case, every character that is
not a letter, digit, space, '-' or '_' dropped, spaces turned into '-', and -1, -2 ... on
repeats. Code (fenced blocks, `spans`) holds no links.
Exit status: 0 (the findings are the output), 1 a marked table or block that cannot be read
(the line says where), 2 usage error or an unreadable file.
"""
import os
import re
import sys

FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
INLINE_LINK = re.compile(r"!?\[((?:[^\[\]]|\[[^\]]*\])*)\]"
                         r"\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
REF_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(\s|$)")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")


def prose_lines(path):
    """(line number, text) of the lines outside fenced code blocks, code spans blanked."""
    with open(path, encoding="utf-8") as f:
        fenced = False
        for n, line in enumerate(f, 1):
            if FENCE.match(line):
                fenced = not fenced
                continue
            if not fenced:
                yield n, line.rstrip("\n")


def slug(text):
    text = re.sub(r"<[^>]+>", "", text)  # HTML tags
    text = INLINE_LINK.sub(lambda m: m.group(1), text)  # [text](url) -> text
    text = text.lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


_anchor_cache = {}


def anchors(path):
    if path not in _anchor_cache:
        seen = {}
        out = set()
        for _, line in prose_lines(path):
            m = HEADING.match(line)
            if not m:
                continue
            s = slug(m.group(2))
            n = seen.get(s, 0)
            seen[s] = n + 1
            out.add(s if n == 0 else "%s-%d" % (s, n))
        _anchor_cache[path] = out
    return _anchor_cache[path]


def links(root, files):
    bad = []
    for rel in files:
        path = os.path.join(root, rel)
        for n, line in prose_lines(path):
            text = CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)
            targets = [m.group(2) for m in INLINE_LINK.finditer(text)]
            m = REF_DEF.match(text)
            if m:
                targets.append(m.group(1))
            for t in targets:
                why = check_link(root, rel, t)
                if why:
                    bad.append("%s:%d: %s: %s" % (rel, n, t, why))
    return bad


def check_link(root, rel, target):
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target):
        return None  # http:, https:, mailto: ... not ours to check
    if not target:
        return "empty link"
    file_part, _, anchor = target.partition("#")
    if file_part.startswith("/"):
        dest = os.path.normpath(os.path.join(root, file_part.lstrip("/")))
    elif file_part:
        dest = os.path.normpath(os.path.join(root, os.path.dirname(rel), file_part))
    else:
        dest = os.path.join(root, rel)
    if not os.path.exists(dest):
        return "no such file %s" % os.path.relpath(dest, root)
    if anchor:
        if not dest.endswith(".md"):
            return "an anchor into a file that is not Markdown"
        if anchor not in anchors(dest):
            return "no heading #%s in %s" % (anchor, os.path.relpath(dest, root))
    return None


class DocError(Exception):
    pass


PROGS = re.compile(r"`((?:tcp|udp|tls|dtls)_(?:client|server))`")


def cells(row):
    """A table row's cells, with GitHub's escaped '\\|' kept inside its cell."""
    parts = re.split(r"(?<!\\)\|", row.strip().strip("|"))
    return [p.strip().replace("\\|", "|") for p in parts]


def options(path):
    out = []
    scope = None  # programs of the table being read
    prog_col = None
    header = False
    for n, line in prose_lines(path):
        m = re.match(r"^<!--\s*options:\s*(.*?)\s*-->$", line)
        if m:
            scope = m.group(1).split()
            header = True
            prog_col = None
            continue
        if scope is None:
            continue
        if not line.startswith("|"):
            if header:
                raise DocError("%s:%d: an options comment not followed by a table" % (path, n))
            scope = None
            continue
        row = cells(line)
        if header:
            prog_col = row.index("programs") if "programs" in row else None
            header = False
            continue
        if set(line) <= set("|-: "):
            continue
        sig = re.fullmatch(r"`(-[^`]*)`", row[0])
        if not sig:
            raise DocError("%s:%d: an option row whose first cell is not one `-option`" % (path, n))
        progs = scope
        if prog_col is not None:
            named = PROGS.findall(row[prog_col])
            if named:
                progs = named
        for p in progs:
            out.append("%s\t%s" % (p, sig.group(1)))
    return out


def builds(files):
    out = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        i = 0
        while i < len(lines):
            if re.match(r"^<!--\s*build-commands\b.*-->$", lines[i]):
                if i + 1 >= len(lines) or not FENCE.match(lines[i + 1]):
                    raise DocError("%s:%d: a build-commands comment not followed by a code block"
                                   % (path, i + 1))
                i += 2
                while i < len(lines) and not FENCE.match(lines[i]):
                    cmd, _, note = lines[i].partition("#")
                    if cmd.strip():
                        out.append("%s:%d\t%s\t%s" % (path, i + 1, cmd.strip(), note.strip()))
                    i += 1
            i += 1
    return out


def main(argv):
    if len(argv) < 2 or argv[0] not in ("links", "options", "builds"):
        sys.stderr.write("usage: docs_check.py links ROOT FILE... | options FILE"
                         " | builds FILE...\n")
        return 2
    try:
        if argv[0] == "links":
            res = links(argv[1], argv[2:])
        elif argv[0] == "options":
            res = options(argv[1])
        else:
            res = builds(argv[1:])
    except OSError as e:
        sys.stderr.write("docs_check.py: %s\n" % e)
        return 2
    except DocError as e:
        sys.stderr.write("docs_check.py: %s\n" % e)
        return 1
    for r in res:
        print(r)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
