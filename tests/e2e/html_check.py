"""Facts about an mcplog incident page, for t_html.sh.

  html_check.py facts FILE     one "name value" line per fact (see below),
                               from the raw page or Chromium's --dump-dom
  html_check.py refs FILE      exit 1, naming each, when a src, href,
                               xlink:href, srcset, action, url() or
                               @import points outside the page (anything
                               but "#fragment"); prints "refs ok" else
  html_check.py json FILE      the alerts JSON block, re-serialised
                               canonically (sorted keys, one line)
  html_check.py text FILE ID   the text of the element with that id
  html_check.py jsontext FILE ID  that text parsed as JSON, as json does

Facts: tags-outside-allowlist (tags the page itself never writes: any
would be an element made from log text), event-attributes (on*= of any
element), scripts (script elements), script-types (their types), procs
(g.proc), alert-lanes (g.alert-lane), client-lanes (g.client-lane), alert-rules (the rule cells of the
alerts table, in order, comma separated), clusters (tr.cluster), alert-rows,
sparklines, timeline (1 when svg#timeline-svg holds rects), csp (the
Content-Security-Policy meta's content)."""
import html.parser
import json
import re
import sys

# Every element the page writes, plus what an HTML parser adds (tbody).
ALLOWED = {
    "html", "head", "meta", "title", "style", "body", "header", "h1", "h2",
    "p", "details", "summary", "table", "tbody", "tr", "th", "td", "span",
    "div", "b", "br", "section", "svg", "g", "rect", "line", "text", "pre",
    "script", "footer",
}
REF_ATTRS = {"src", "href", "xlink:href", "srcset", "action", "formaction",
             "poster", "data", "background", "ping", "manifest"}


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = {}
        self.outside = set()
        self.events = 0
        self.scripts = []
        self.refs = []
        self.classes = {}
        self.stack = []
        self.ids = {}
        self.capture = []      # (id, [text]) of open elements with an id
        self.rule_cells = []
        self.in_rule = False
        self.in_script = False
        self.script_text = []
        self.csp = None
        self.timeline_rects = 0
        self.in_timeline = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if tag not in ALLOWED:
            self.outside.add(tag)
        for k, v in attrs:
            if k.startswith("on"):
                self.events += 1
            if k in REF_ATTRS and v is not None and not v.startswith("#"):
                self.refs.append("%s %s=%r" % (tag, k, v))
            if k == "style" and v and re.search(r"url\(|@import", v, re.I):
                self.refs.append("%s style=%r" % (tag, v))
        for c in (a.get("class") or "").split():
            key = tag + "." + c
            self.classes[key] = self.classes.get(key, 0) + 1
        if tag == "meta" and (a.get("http-equiv") or "").lower() == \
                "content-security-policy":
            self.csp = a.get("content")
        if tag == "script":
            self.scripts.append(a.get("type"))
            self.in_script = True
        if tag == "svg" and a.get("id") == "timeline-svg":
            self.in_timeline = True
        if tag == "rect" and self.in_timeline:
            self.timeline_rects += 1
        if tag == "td" and "rule" in (a.get("class") or "").split():
            self.in_rule = True
            self.rule_cells.append("")
        if "id" in a:
            self.capture.append((a["id"], tag, []))

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False
        if tag == "svg":
            self.in_timeline = False
        if tag == "td":
            self.in_rule = False
        if self.capture and self.capture[-1][1] == tag:
            i, _, t = self.capture.pop()
            self.ids[i] = "".join(t)
            if self.capture:
                self.capture[-1][2].extend(t)

    def handle_data(self, data):
        if self.in_script:
            self.script_text.append(data)
        if self.in_rule:
            self.rule_cells[-1] += data
        if self.capture:
            self.capture[-1][2].append(data)


def load(path):
    with open(path, "rb") as f:
        raw = f.read().decode("utf-8")
    p = Page()
    p.feed(raw)
    p.close()
    return raw, p


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    raw, p = load(path)
    if cmd == "facts":
        print("tags-outside-allowlist", ",".join(sorted(p.outside)) or "none")
        print("event-attributes", p.events)
        print("scripts", len(p.scripts))
        print("script-types", ",".join(str(t) for t in p.scripts))
        print("procs", p.classes.get("g.proc", 0))
        print("alert-lanes", p.classes.get("g.alert-lane", 0))
        print("client-lanes", p.classes.get("g.client-lane", 0))
        print("alert-rules", ",".join(p.rule_cells))
        print("alert-rows", len(p.rule_cells))
        print("clusters", p.classes.get("tr.cluster", 0))
        print("sparklines", p.classes.get("svg.sparkline", 0))
        print("timeline", 1 if p.timeline_rects > 0 else 0)
        print("csp", p.csp)
    elif cmd == "refs":
        bad = list(p.refs)
        # url() and @import anywhere in the style block or attributes
        for m in re.finditer(r"<style[^>]*>(.*?)</style>", raw, re.S | re.I):
            for u in re.finditer(r"url\(\s*['\"]?([^)'\"]*)", m.group(1),
                                 re.I):
                if not u.group(1).startswith("#"):
                    bad.append("css url(%s)" % u.group(1))
            if re.search(r"@import", m.group(1), re.I):
                bad.append("css @import")
        for b in bad:
            print("outside reference:", b)
        if bad:
            sys.exit(1)
        print("refs ok")
    elif cmd == "json":
        doc = json.loads("".join(p.script_text), strict=True)
        print(json.dumps(doc, sort_keys=True, ensure_ascii=True))
    elif cmd == "text":
        print(p.ids.get(sys.argv[3], ""))
    elif cmd == "jsontext":
        doc = json.loads(p.ids.get(sys.argv[3], ""), strict=True)
        print(json.dumps(doc, sort_keys=True, ensure_ascii=True))


main()
